package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The service desk: cases opened by 8% of people, exported with London wall-clock times. */
final class ServiceFeeds {
  private static final String DESK_ZONE = "Europe/London";
  private static final String[] CASE_CATEGORIES = {"product_question", "return", "complaint", "warranty", "delivery"};

  private ServiceFeeds() {
  }

  /** Feed 12: a case lands the day after it is closed, or after it is opened while still open. */
  static Dataset<Row> cases(Scenario s) {
    Draws d = s.draws();
    Period w = s.period();
    Column person = col("person_id");
    Column[] keys = {person, col("case")};
    Column count = when(d.chance(0.08, "has-case", person),
        when(d.chance(0.1, "second-case", person), lit(2)).otherwise(lit(1))).otherwise(lit(0));
    Column openedAt = w.instant(d.below(w.days(), "case-day", keys),
        d.below(12 * 3600, "case-time", keys).plus(8 * 3600), col("utc_offset"));
    Column closedAt = col("opened_at").plus(3600).plus(d.below(5 * 86_400, "case-duration", keys));
    Column closed = d.chance(0.6, "case-closed", keys).and(col("closed_at").lt(w.endEpochExclusive()));
    Column status = when(col("closed"), lit("closed"))
        .when(d.chance(0.4, "case-pending", keys), lit("pending")).otherwise(lit("open"));
    Column phoneGiven = d.chance(0.5, "case-phone-given", keys);
    Column emailGiven = d.chance(0.85, "case-email-given", keys).or(not(phoneGiven));
    Column email = col("email");
    Column phone = col("phone");
    Column landedAt = when(col("closed"), col("closed_at")).otherwise(col("opened_at"));
    Column delay = Mess.delay(d, "cases", person, col("case"));
    return s.people()
        .withColumn("case", explode(Draws.indices(count)))
        .withColumn("opened_at", openedAt)
        .withColumn("closed_at", closedAt)
        .withColumn("closed", closed)
        .transform(r -> Contacts.withEmail(r, "email", d, "case-email", 0.3, 1.0, keys))
        .withColumn("email", when(emailGiven, col("email")))
        .transform(r -> Contacts.withPhone(r, "phone", d, "case-phone", 0.3, 0.2, keys))
        .withColumn("phone", when(phoneGiven, col("phone")))
        .select(
            Ids.code("CS-", d, "case", person.multiply(4).plus(col("case")), 8).as("case_number"),
            email.getField("value").as("email"),
            phone.getField("value").as("phone"),
            col("country"),
            Draws.pick(CASE_CATEGORIES, d.uniform("case-category", keys)).as("category"),
            status.as("status"),
            when(col("closed").and(d.chance(0.6, "case-rated", keys)),
                d.below(5, "satisfaction", keys).plus(1).cast("string")).as("satisfaction"),
            Clock.ukDateTime(col("opened_at"), lit(DESK_ZONE)).as("opened_at"),
            when(col("closed"), Clock.ukDateTime(col("closed_at"), lit(DESK_ZONE))).as("closed_at"),
            person.as(Mess.PERSON),
            Mess.tags(when(email.isNotNull(), Contacts.emailTags(email)),
                when(email.isNotNull(), Contacts.secondEmailTag(email)),
                when(phone.isNotNull(), Contacts.phoneTag(phone)), when(phone.isNotNull(), Contacts.landlineTag(phone)),
                Mess.lateTag(delay)).as(Mess.TAGS),
            w.landing(landedAt, delay).as(Mess.LANDING_DATE));
  }
}
