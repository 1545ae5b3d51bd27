package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The sales CRM (Salesforce-like export): contacts for 12% of people and opportunities for about half of
 * them. Timestamps are New York wall clock.
 */
final class SalesFeeds {
  private static final String CRM_ZONE = "America/New_York";
  private static final String[] STAGES = {"Prospecting", "Qualification", "Proposal", "Closed Won", "Closed Lost"};

  private SalesFeeds() {
  }

  /**
   * When a CRM record was last touched: 70% before the window (landing in the first day's backfill), the
   * rest inside it.
   */
  private static Column touchedAt(Scenario s, String salt, Column... keys) {
    Period w = s.period();
    Draws d = s.draws();
    Column before = lit(w.startEpoch()).minus(d.below(700 * 86_400, salt + ":before", keys)).minus(3600);
    Column during = w.instant(d.below(w.days(), salt + ":day", keys),
        d.below(10 * 3600, salt + ":time", keys).plus(8 * 3600), lit(-5));
    return when(d.chance(0.7, salt + ":backfilled", keys), before).otherwise(during);
  }

  private static Column landingOf(Scenario s, Column at) {
    return when(at.lt(s.period().startEpoch()), s.period().firstLanding()).otherwise(s.period().landing(at, lit(1)));
  }

  /** Feed 10: contacts; 20% are modified again in the window and land a second time. */
  static Dataset<Row> crmContacts(Scenario s) {
    Draws d = s.draws();
    Period w = s.period();
    Column person = col("person_id");
    Column version = col("version");
    Column[] keys = {person, version};
    Column roleAddress = d.chance(0.15, "crm-role-address", keys);
    Column email = col("email");
    Column phone = col("phone");
    Column first = col("first");
    Column last = col("last");
    Column firstTouch = touchedAt(s, "crm-touched", person);
    Column from = col("first_touch").plus(3600);
    Column retouch = greatest(from, lit(w.startEpoch()));
    Column modifiedAt = when(version.equalTo(0), col("first_touch"))
        .otherwise(retouch.plus(floor(d.uniform("crm-retouched", keys)
            .multiply(lit(w.endEpochExclusive()).minus(retouch))).cast("long")));
    return s.people()
        .filter(col("crm_contact_id").isNotNull())
        .withColumn("first_touch", firstTouch)
        .withColumn("version", explode(when(d.chance(0.2, "crm-modified-again", person)
            .and(lit(w.endEpochExclusive()).minus(greatest(from, lit(w.startEpoch()))).gt(0)), array(lit(0), lit(1)))
            .otherwise(array(lit(0)))))
        .withColumn("modified_at", modifiedAt)
        .withColumn("role_address", roleAddress)
        .transform(r -> Contacts.withEmail(r, "email", d, "crm-email", 0.6, 1.0, keys))
        .transform(r -> Contacts.withPhone(r, "phone", d, "crm-phone", 0.3, 0.15, keys))
        .withColumn("phone", when(d.chance(0.9, "crm-phone-given", keys), col("phone")))
        .transform(r -> Contacts.withName(r, "first", col("first_name"), d, "crm-first", 0.03, person))
        .transform(r -> Contacts.withName(r, "last", col("last_name"), d, "crm-last", 0.03, person))
        .select(
            col("crm_contact_id").as("Contact ID"),
            first.getField("value").as("First Name"),
            last.getField("value").as("Last Name"),
            when(col("role_address"), Emails.roleAddress(col("business"), d.uniform("crm-role", keys)))
                .otherwise(email.getField("value")).as("Email"),
            phone.getField("value").as("Phone"),
            col("postcode").as("Mailing Postal Code"),
            col("country").as("Mailing Country"),
            Clock.usDateTime(col("modified_at"), lit(CRM_ZONE)).as("Last Modified Date"),
            person.as(Mess.PERSON),
            Mess.tags(Mess.tagIf(col("role_address"), MessKind.ROLE_ADDRESS),
                when(not(col("role_address")), Contacts.emailTags(email)),
                when(not(col("role_address")), Contacts.secondEmailTag(email)),
                when(phone.isNotNull(), Contacts.phoneTag(phone)), when(phone.isNotNull(), Contacts.landlineTag(phone)),
                Contacts.typoTag(first), Contacts.typoTag(last)).as(Mess.TAGS),
            landingOf(s, col("modified_at")).as(Mess.LANDING_DATE));
  }

  /**
   * Feed 11: opportunities for half of the contacts, mostly in their strongest category; a sales visit is
   * requested more often by people who buy the category more.
   */
  static Dataset<Row> opportunities(Scenario s) {
    Draws d = s.draws();
    Column person = col("person_id");
    Column[] keys = {person, col("opportunity")};
    Column category = when(d.chance(0.7, "opportunity-main-interest", keys), col("primary_category"))
        .otherwise(d.below(6, "opportunity-category", keys));
    Column browse = element_at(col("browse"), col("opportunity_category").plus(1));
    Column count = when(d.chance(0.5, "has-opportunity", person),
        when(d.chance(0.3, "second-opportunity", person), lit(2)).otherwise(lit(1))).otherwise(lit(0));
    return s.people()
        .filter(col("crm_contact_id").isNotNull())
        .withColumn("opportunity", explode(Draws.indices(count)))
        .withColumn("opportunity_category", category)
        .withColumn("created_at", touchedAt(s, "opportunity-created", keys))
        .select(
            Ids.salesforce("006", d, "opportunity", person.multiply(4).plus(col("opportunity"))).as("Opportunity ID"),
            col("crm_contact_id").as("Contact ID"),
            Draws.pick(STAGES, d.uniform("stage", keys)).as("Stage"),
            Catalog.name(col("opportunity_category")).as("Product Category"),
            d.uniform("amount", keys).multiply(4850).plus(150).cast("decimal(12,2)").cast("string").as("Amount"),
            when(d.chance(least(lit(0.8), browse.multiply(0.08)), "sales-visit", keys), lit("true"))
                .otherwise(lit("false")).as("Sales Visit Requested"),
            Clock.usDateTime(col("created_at"), lit(CRM_ZONE)).as("Created Date"),
            person.as(Mess.PERSON),
            Mess.tags().as(Mess.TAGS),
            landingOf(s, col("created_at")).as(Mess.LANDING_DATE));
  }
}
