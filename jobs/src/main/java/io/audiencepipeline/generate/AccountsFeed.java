package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The web shop's account snapshots (feed 5). */
final class AccountsFeed {
  private AccountsFeed() {
  }

  /**
   * Feed 5: a snapshot row when an account is created (accounts older than the window are backfilled on the
   * first landing date) and another when 15% of them are updated: the account_id then repeats.
   */
  static Dataset<Row> accounts(Scenario s) {
    Draws d = s.draws();
    Period w = s.period();
    Column person = col("person_id");
    Column account = col("account");
    Column version = col("version");
    Column[] accountKeys = {person, account};
    Column[] versionKeys = {person, account, version};
    Column created = when(account.equalTo(0), col("account_created_1")).otherwise(col("account_created_2"));
    Column backfilled = col("created").lt(w.startEpoch());
    Column updateFrom = greatest(col("created"), lit(w.startEpoch()));
    Column updatedAt = when(version.equalTo(0), when(backfilled, col("created").plus(floor(
            d.uniform("account-touched", versionKeys).multiply(lit(w.startEpoch()).minus(col("created")))).cast("long")))
            .otherwise(col("created")))
        .otherwise(updateFrom.plus(floor(d.uniform("account-updated", versionKeys)
            .multiply(lit(w.endEpochExclusive()).minus(updateFrom))).cast("long")));
    Column primary = col("primary_email");
    // A second account needs another address: the second one if the person has it, else a +tag variant.
    Column secondAccountEmail = when(col("second_email").isNotNull(), col("second_email"))
        .otherwise(concat(substring_index(primary, "@", 1), lit("+shop@"), substring_index(primary, "@", -1)));
    Column email = col("email");
    Column phone = col("phone");
    Column first = col("first");
    Column last = col("last");
    Column secondAccount = account.equalTo(1);

    return s.people()
        .filter(col("account_id_1").isNotNull())
        .withColumn("account", explode(when(col("account_id_2").isNotNull(), array(lit(0), lit(1)))
            .otherwise(array(lit(0)))))
        .withColumn("version", explode(when(d.chance(0.15, "account-update", accountKeys), array(lit(0), lit(1)))
            .otherwise(array(lit(0)))))
        .withColumn("created", created)
        .withColumn("updated_at", updatedAt)
        .transform(r -> Contacts.withEmail(r, "first_account_email", d, "account-email", 0.0, 1.0, versionKeys))
        .withColumn("email", when(secondAccount, struct(secondAccountEmail.as("value"),
                when(col("second_email").isNull(), lit(MessKind.EMAIL_PLUS_TAG.tag())).as("mess"),
                col("second_email").isNotNull().as("second")))
            .otherwise(col("first_account_email")))
        .transform(r -> Contacts.withPhone(r, "phone", d, "account-phone", 0.0, 0.4, versionKeys))
        .withColumn("phone", when(d.chance(0.7, "account-phone-given", versionKeys), col("phone")))
        .transform(r -> Contacts.withName(r, "first", col("first_name"), d, "account-first", 0.03, accountKeys))
        .transform(r -> Contacts.withName(r, "last", col("last_name"), d, "account-last", 0.03, accountKeys))
        .select(
            when(secondAccount, col("account_id_2")).otherwise(col("account_id_1")).as("account_id"),
            email.getField("value").as("email"),
            first.getField("value").as("first_name"),
            last.getField("value").as("last_name"),
            phone.getField("value").as("phone"),
            when(d.chance(0.85, "account-birth-date", accountKeys), Clock.isoDate(col("birth_date")))
                .as("birth_date"),
            col("postcode"),
            col("country"),
            Clock.isoUtc(col("created")).as("created_at"),
            Clock.isoUtc(col("updated_at")).as("updated_at"),
            person.as(Mess.PERSON),
            Mess.tags(Contacts.emailTags(email), Contacts.secondEmailTag(email),
                Mess.tagIf(secondAccount, MessKind.SECOND_ACCOUNT),
                when(phone.isNotNull(), Contacts.phoneTag(phone)), Contacts.typoTag(first), Contacts.typoTag(last))
                .as(Mess.TAGS),
            when(version.equalTo(0).and(backfilled), w.firstLanding())
                .otherwise(w.landing(col("updated_at"), lit(1))).as(Mess.LANDING_DATE));
  }
}
