package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;

/**
 * The weekly newsletter: sent on window days 1, 8, 15, ... to subscribers; about 25% of sends are opened and
 * 4% clicked (more in categories the person cares about); 3% of subscribers unsubscribe from one of them.
 * Shared by the e-mail events and the consent events (an unsubscribe is also an opt-out).
 */
final class Newsletter {
  private Newsletter() {
  }

  static Column unsubscribeWeek(Scenario s) {
    Column person = col("person_id");
    return when(col("subscribed").and(s.draws().chance(0.03, "unsubscribes", person)),
        s.draws().below(s.newsletterWeeks(), "unsubscribe-week", person));
  }

  /** Category of week w's newsletter: they rotate, starting at a seed-dependent category. */
  static Column category(Scenario s, Column week) {
    return pmod(week.plus(Math.floorMod(s.draws().seed(), 6)), lit(6));
  }

  static Column sentAt(Scenario s, Column week) {
    return lit(s.period().startEpoch() + 86_400L + 14 * 3600L).plus(week.cast("long").multiply(7 * 86_400L))
        .plus(s.draws().below(3600, "newsletter-send", col("person_id"), week));
  }

  static Column opened(Scenario s, Column week) {
    Column share = least(lit(0.95), exp(col("engagement").multiply(0.5).minus(0.125)).multiply(0.25));
    return s.draws().chance(share, "newsletter-open", col("person_id"), week);
  }

  static Column openedAt(Scenario s, Column week) {
    return sentAt(s, week).plus(300).plus(floor(pow(s.draws().uniform("newsletter-open-delay", col("person_id"), week), 2)
        .multiply(2 * 86_400)).cast("long"));
  }

  static Column clicked(Scenario s, Column week, Column browse) {
    return opened(s, week).and(s.draws().chance(least(lit(0.8), browse.multiply(0.07)), "newsletter-click",
        col("person_id"), week));
  }

  static Column clickedAt(Scenario s, Column week) {
    return openedAt(s, week).plus(10).plus(s.draws().below(600, "newsletter-click-delay", col("person_id"), week));
  }

  static Column unsubscribedAt(Scenario s, Column week) {
    return openedAt(s, week).plus(30).plus(s.draws().below(300, "unsubscribe-delay", col("person_id"), week));
  }
}
