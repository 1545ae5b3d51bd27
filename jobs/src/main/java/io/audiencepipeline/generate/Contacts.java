package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How a person shows up in a source system: which e-mail address and phone number they gave and how it
 * was typed, their name with the odd typo, their browser cookies and when a cookie is logged in.
 *
 * <p>The {@code with*} methods add a struct column whose {@code value} goes into the feed and whose other
 * fields become mess tags. They work on Datasets, not Columns, because each random draw and intermediate
 * is materialised once as a column: inlined into every CASE branch they would duplicate the hashing
 * until the generated code outgrows the JVM's 64 KB method limit.
 */
final class Contacts {
  private Contacts() {
  }

  /**
   * An address the person typed: the second address (if they have one) with secondShare, else the primary,
   * garbled at messScale. Adds struct(value, mess, second) as {@code column}.
   */
  static Dataset<Row> withEmail(Dataset<Row> rows, String column, Draws draws, String salt, double secondShare,
      double messScale, Column... keys) {
    String second = column + "__second";
    String address = column + "__address";
    String kind = column + "__kind";
    String detail = column + "__detail";
    return rows
        .withColumn(second, col("second_email").isNotNull().and(draws.chance(secondShare, salt + ":second", keys)))
        .withColumn(address, when(col(second), col("second_email")).otherwise(col("primary_email")))
        .withColumn(kind, Emails.messKind(col(address), draws.uniform(salt + ":mess", keys), messScale))
        .withColumn(detail, draws.uniform(salt + ":detail", keys))
        .withColumn(column, struct(Emails.garble(col(address), col(kind), col(detail)).as("value"),
            col(kind).as("mess"), col(second).as("second")))
        .drop(second, address, kind, detail);
  }

  static Column emailTags(Column email) {
    return email.getField("mess");
  }

  static Column secondEmailTag(Column email) {
    return Mess.tagIf(email.getField("second"), MessKind.SECOND_EMAIL);
  }

  /**
   * A phone number the person gave: the household landline (if any) with landlineShare, else the mobile,
   * typed in some format. Adds struct(value, mess, landline) as {@code column}.
   */
  static Dataset<Row> withPhone(Dataset<Row> rows, String column, Draws draws, String salt, double landlineShare,
      double e164Share, Column... keys) {
    String landline = column + "__landline";
    String number = column + "__number";
    String format = column + "__format";
    String typed = column + "__typed";
    return rows
        .withColumn(landline, col("landline").isNotNull().and(draws.chance(landlineShare, salt + ":landline", keys)))
        .withColumn(number, when(col(landline), col("landline")).otherwise(col("mobile")))
        .withColumn(format, draws.uniform(salt + ":format", keys))
        .withColumn(typed, Phones.typed(col(number), col(format), e164Share))
        .withColumn(column, struct(col(typed).getField("value").as("value"), col(typed).getField("mess").as("mess"),
            col(landline).as("landline")))
        .drop(landline, number, format, typed);
  }

  static Column phoneTag(Column phone) {
    return phone.getField("mess");
  }

  static Column landlineTag(Column phone) {
    return Mess.tagIf(phone.getField("landline"), MessKind.SHARED_LANDLINE);
  }

  /** Adds struct(value, typo) as {@code column}: the name, with a typo at typoShare. */
  static Dataset<Row> withName(Dataset<Row> rows, String column, Column name, Draws draws, String salt,
      double typoShare, Column... keys) {
    String typo = column + "__typo";
    String kind = column + "__kind";
    String position = column + "__position";
    return rows
        .withColumn(typo, draws.chance(typoShare, salt + ":typo", keys))
        .withColumn(kind, draws.uniform(salt + ":kind", keys))
        .withColumn(position, draws.uniform(salt + ":position", keys))
        .withColumn(column, struct(when(col(typo), Names.withTypo(name, col(kind), col(position))).otherwise(name)
            .as("value"), col(typo).as("typo")))
        .drop(typo, kind, position);
  }

  static Column typoTag(Column name) {
    return Mess.tagIf(name.getField("typo"), MessKind.NAME_TYPO);
  }

  /** The k-th browser cookie (0-2) of a person. */
  static Column cookieId(Draws draws, Column k) {
    return Ids.code("ck-", draws, "cookie", col("person_id").multiply(4).plus(k), 12);
  }

  /**
   * The account logged in on cookie k at an instant, or null. A cookie logs in once (before or during the
   * window, never before the account exists) and stays logged in; some cookies never log in. Two-account
   * people use their second account on their second cookie.
   */
  static Column accountOnCookie(Draws draws, Period period, Column k, Column instant) {
    Column person = col("person_id");
    Column useSecond = col("account_id_2").isNotNull().and(k.equalTo(1));
    Column account = when(useSecond, col("account_id_2")).otherwise(col("account_id_1"));
    Column created = when(useSecond, col("account_created_2")).otherwise(col("account_created_1"));
    Column neverShare = when(k.equalTo(0), lit(0.15)).otherwise(lit(0.45));
    Column logsIn = account.isNotNull().and(not(draws.chance(neverShare, "cookie-never-logs-in", person, k)));
    Column loginAt = greatest(created, lit(period.startEpoch()).plus(floor(
        draws.uniform("cookie-login", person, k).multiply(1.5).minus(0.5).multiply(period.days() * 86_400L))
        .cast("long")));
    return when(logsIn.and(instant.geq(loginAt)), account);
  }

  /** The account of an app or web user who is logged in at an instant (their first account). */
  static Column accountAt(Column instant) {
    return when(col("account_id_1").isNotNull().and(instant.geq(col("account_created_1"))), col("account_id_1"));
  }
}
