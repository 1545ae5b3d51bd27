package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A third-party data vendor's one delivery, in the middle of the window: lifestyle attributes for half of
 * the people, matched on a SHA-256 of their normalised primary e-mail address.
 */
final class EnrichmentFeed {
  private static final String[] SEGMENTS = {"trail_seeker", "weekend_camper", "vertical_explorer",
      "urban_athlete", "style_conscious", "comfort_first"};
  private static final String[] INCOME_BANDS = {"<25k", "25-50k", "50-100k", "100-150k", "150k+"};

  private EnrichmentFeed() {
  }

  static LocalDate deliveryDate(Period w) {
    return w.start().plusDays(w.days() / 2);
  }

  /** Feed 17. Outdoor affinity follows the person's overall browsing lift, with the vendor's own noise. */
  static Dataset<Row> enrichment(Scenario s) {
    Draws d = s.draws();
    Column person = col("person_id");
    LocalDate delivered = deliveryDate(s.period());
    Column meanLogBrowse = aggregate(col("browse"), lit(0.0), (sum, b) -> sum.plus(log(b))).divide(6);
    Column affinityLogit = meanLogBrowse.multiply(0.8).minus(0.5).plus(d.normal("vendor-affinity", person).multiply(0.5));
    Column segment = when(d.chance(0.8, "segment-matches", person), Draws.at(SEGMENTS, col("primary_category")))
        .otherwise(d.pick(SEGMENTS, "segment", person));
    return s.people()
        .filter(d.chance(0.5, "enriched", person))
        .select(
            Ids.code("EN-", d, "enrichment", person, 10).as("record_id"),
            Emails.hashed(col("primary_email")).as("hashed_email"),
            col("address_line"),
            col("postcode"),
            col("country"),
            segment.as("lifestyle_segment"),
            d.pick(INCOME_BANDS, "income-band", person).as("income_band"),
            round(lit(1.0).divide(exp(affinityLogit.multiply(-1)).plus(1)), 3).as("outdoor_affinity"),
            col("shares_household").and(d.chance(0.5, "children", person)).or(d.chance(0.12, "children-alone", person))
                .as("has_children"),
            timestamp_seconds(lit(delivered.toEpochDay() * 86_400L + 4 * 3600L).plus(d.below(3600, "delivery", person)))
                .as("delivered_at"),
            person.as(Mess.PERSON),
            Mess.tags().as(Mess.TAGS),
            lit(delivered).as(Mess.LANDING_DATE));
  }
}
