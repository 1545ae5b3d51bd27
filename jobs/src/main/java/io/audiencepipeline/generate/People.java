package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The people behind the data, one row each, derived from {@code spark.range}: identity (household, names,
 * addresses, e-mails, phones, accounts, devices), and interests (a daily purchase rate and a browsing
 * intensity per category). See DATA.md, "The people behind the data".
 */
final class People {
  /** Rows per generation partition: small enough to spill, large enough to keep task overhead low. */
  private static final long PEOPLE_PER_PARTITION = 50_000;
  private static final double SHARED_HOUSEHOLD_BLOCKS = 0.20;
  private static final double PRIMARY_INTEREST_LIFT = 1.8;
  private static final double SECONDARY_INTEREST_LIFT = 1.0;
  private static final double ENGAGEMENT_SPREAD = 0.5;
  private static final double RATE_NOISE = 0.7;

  private People() {
  }

  static Dataset<Row> build(SparkSession spark, GeneratorSettings settings, Draws draws, Period period) {
    int partitions = (int) Math.max(2, (settings.people() + PEOPLE_PER_PARTITION - 1) / PEOPLE_PER_PARTITION);
    Column person = col("person_id");
    Column block = col("household_block");
    Column household = col("household_id");
    long startEpoch = period.startEpoch();
    long endEpoch = period.endEpochExclusive();
    long numberSpace = pow10(Math.max(4, Long.toString(settings.people()).length()));

    return spark.range(0, settings.people(), 1, partitions)
        .select(col("id").plus(1).as("person_id"), floor(col("id").divide(4)).as("household_block"),
            pmod(col("id"), lit(4L)).cast("int").as("block_slot"))
        // About 15% of people share a household: 20% of blocks of four ids hold a household of 2-4 of them.
        .withColumn("shares_household", draws.chance(SHARED_HOUSEHOLD_BLOCKS, "shared-household", block)
            .and(col("block_slot").lt(draws.below(3, "household-size", block).plus(2))))
        .withColumn("household_id", when(col("shares_household"), block.multiply(4).plus(1)).otherwise(person))
        .withColumn("country", Geography.country(draws.uniform("country", household)))
        .withColumn("city_index", Geography.cityIndex(col("country"), draws.uniform("city", household)))
        .withColumn("city", Geography.city(col("city_index")))
        .withColumn("zone", Geography.zone(col("city_index")))
        .withColumn("utc_offset", Geography.utcOffset(col("city_index")))
        .withColumn("address_line", Geography.addressLine(col("country"), draws, household))
        .withColumn("postcode", Geography.postcode(col("country"), col("city_index"), draws, household))
        .withColumn("first_name", Names.firstName(col("country"), draws.uniform("first-name", person)))
        .withColumn("last_name", Names.lastName(col("country"),
            when(draws.chance(0.9, "household-surname", person), draws.uniform("last-name", household))
                .otherwise(draws.uniform("last-name", person))))
        .withColumn("birth_date", date_sub(lit(period.end()),
            draws.below(62 * 365, "age", person).plus(18 * 365)))
        .transform(p -> withEmails(p, draws, numberSpace))
        .withColumn("mobile", Phones.mobile(col("country"), person, draws))
        .withColumn("landline", when(col("shares_household"),
            Phones.landline(col("country"), Geography.areaCode(col("city_index")), block, draws)))
        .transform(p -> withAccounts(p, draws, startEpoch, endEpoch))
        .withColumn("loyalty_card", when(draws.chance(0.40, "loyalty", person),
            Ids.code("LC", draws, "loyalty-card", person, 10)))
        .withColumn("device_id", when(draws.chance(0.35, "app", person), Ids.uuid(draws, "device", person)))
        .withColumn("crm_contact_id", when(draws.chance(0.12, "crm", person),
            Ids.salesforce("003", draws, "crm-contact", person)))
        .withColumn("cookies", draws.below(3, "cookies", person).plus(1))
        .withColumn("subscribed", draws.chance(0.70, "subscribed", person))
        .withColumn("business", draws.below((int) Math.max(5, settings.people() / 40), "business", person))
        .withColumn("home_store", Geography.storeIndex(col("country"), draws.uniform("home-store", person)))
        .transform(p -> withInterests(p, draws))
        .drop("block_slot");
  }

  private static Dataset<Row> withEmails(Dataset<Row> people, Draws draws, long numberSpace) {
    Column person = col("person_id");
    Column workPrimary = col("work_primary");
    Column primaryDomain = when(workPrimary, Emails.workDomain(draws.uniform("work-domain", person)))
        .otherwise(Emails.personalDomain(col("country"), draws.uniform("personal-domain", person)));
    Column secondDomain = when(workPrimary.or(draws.chance(0.5, "second-personal", person)),
            Emails.personalDomain(col("country"), draws.uniform("second-domain", person)))
        .otherwise(Emails.workDomain(draws.uniform("second-work-domain", person)));
    // Both numbers are bijections of the person id; the second lives one digit higher, so no person's
    // second address can equal another person's first.
    Column firstNumber = Ids.scrambled(draws, "email-number-1", person, numberSpace);
    Column secondNumber = Ids.scrambled(draws, "email-number-2", person, numberSpace).plus(numberSpace);
    // Names and draws used in several CASE branches are columns first, to keep the generated code small.
    return people
        .withColumn("first_ascii", Names.ascii(col("first_name")))
        .withColumn("last_ascii", Names.ascii(col("last_name")))
        .withColumn("work_primary", draws.chance(0.12, "work-email", person))
        .withColumn("pattern_1", draws.uniform("email-pattern-1", person))
        .withColumn("pattern_2", draws.uniform("email-pattern-2", person))
        .withColumn("primary_email", Emails.address(col("first_ascii"), col("last_ascii"), firstNumber,
            col("pattern_1"), primaryDomain))
        .withColumn("second_email", when(draws.chance(0.25, "second-email", person),
            Emails.address(col("first_ascii"), col("last_ascii"), secondNumber, col("pattern_2"), secondDomain)))
        .drop("first_ascii", "last_ascii", "work_primary", "pattern_1", "pattern_2");
  }

  /** 65% have a web account, about 3% of people two; most accounts predate the window (backfilled). */
  private static Dataset<Row> withAccounts(Dataset<Row> people, Draws draws, long startEpoch, long endEpoch) {
    Column person = col("person_id");
    Column hasAccount = draws.chance(0.65, "account", person);
    Column createdBefore = lit(startEpoch).minus(draws.below(1000 * 86_400, "account-age", person)).minus(86_400);
    Column createdDuring = lit(startEpoch).plus(
        floor(draws.uniform("account-created", person).multiply(endEpoch - startEpoch)).cast("long"));
    Column firstCreated = when(draws.chance(0.8, "account-before-window", person), createdBefore)
        .otherwise(createdDuring);
    Column secondCreated = col("account_created_1").plus(floor(draws.uniform("second-account-created", person)
        .multiply(lit(endEpoch).minus(col("account_created_1")))).cast("long"));
    return people
        .withColumn("account_id_1", when(hasAccount, Ids.code("A", draws, "account", person.multiply(2), 10)))
        .withColumn("account_created_1", when(hasAccount, firstCreated))
        .withColumn("account_id_2", when(hasAccount.and(draws.chance(0.046, "second-account", person)),
            Ids.code("A", draws, "account", person.multiply(2).plus(1), 10)))
        .withColumn("account_created_2", when(col("account_id_2").isNotNull(), secondCreated));
  }

  /**
   * One or two strong interests and an engagement level drive a log-normal daily purchase rate per category
   * (the label model); browsing follows the rate's lift, with its own noise, so behaviour is a noisy signal.
   */
  private static Dataset<Row> withInterests(Dataset<Row> people, Draws draws) {
    Column person = col("person_id");
    Column u = draws.uniform("primary-interest", person);
    Column primary = lit(Catalog.PRIMARY_SHARE.length - 1);
    double cumulative = 1.0;
    for (int c = Catalog.PRIMARY_SHARE.length - 2; c >= 0; c--) {
      cumulative -= Catalog.PRIMARY_SHARE[c + 1];
      primary = when(u.lt(cumulative), lit(c)).otherwise(primary);
    }
    Column secondary = when(draws.chance(0.6, "has-secondary-interest", person),
        pmod(col("primary_category").plus(draws.below(5, "secondary-interest", person)).plus(1), lit(6)));
    return people
        .withColumn("primary_category", primary)
        .withColumn("secondary_category", secondary)
        .withColumn("engagement", draws.normal("engagement", person))
        .withColumn("rate", transform(sequence(lit(0), lit(5)), c -> exp(log(Catalog.baseRate(c))
            .plus(when(c.equalTo(col("primary_category")), PRIMARY_INTEREST_LIFT).otherwise(0.0))
            .plus(when(c.equalTo(col("secondary_category")), SECONDARY_INTEREST_LIFT).otherwise(0.0))
            .plus(col("engagement").multiply(ENGAGEMENT_SPREAD))
            .plus(draws.normal("rate", person, c).multiply(RATE_NOISE)))))
        .withColumn("browse", transform(sequence(lit(0), lit(5)), c -> exp(
            log(element_at(col("rate"), c.plus(1)).divide(Catalog.baseRate(c)))
                .multiply(0.8)
                .plus(draws.normal("browse", person, c).multiply(0.5)))));
  }

  private static long pow10(int digits) {
    long value = 1;
    for (int i = 0; i < digits; i++) {
      value *= 10;
    }
    return value;
  }
}
