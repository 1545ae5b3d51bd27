package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.convert_timezone;
import static org.apache.spark.sql.functions.date_from_unix_date;
import static org.apache.spark.sql.functions.dayofmonth;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.timestamp_add;
import static org.apache.spark.sql.functions.timestamp_diff;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import java.time.LocalDateTime;
import org.apache.spark.sql.Column;

/**
 * Renders instants (epoch seconds) in the feeds' formats. Everything goes through epoch arithmetic and
 * TIMESTAMP_NTZ, never through the session time zone, so the bytes do not depend on
 * {@code spark.sql.session.timeZone}.
 */
final class Clock {
  private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

  private Clock() {
  }

  /** The UTC calendar date of an instant. */
  static Column utcDate(Column epochSeconds) {
    return date_from_unix_date(floor(epochSeconds.divide(86_400)).cast("int"));
  }

  /** Seconds since 1970-01-01T00:00 of the wall clock in a zone: epoch arithmetic on local time. */
  static Column wallClock(Column epochSeconds, Column zone) {
    Column utc = timestamp_add("SECOND", epochSeconds, lit(EPOCH));
    Column local = convert_timezone(lit("UTC"), zone, utc);
    return epochSeconds.plus(timestamp_diff("SECOND", utc, local));
  }

  /** {@code 2026-10-03T18:22:05Z}. */
  static Column isoUtc(Column epochSeconds) {
    Column[] f = fields(epochSeconds);
    return format_string("%04d-%02d-%02dT%02d:%02d:%02dZ", f);
  }

  /** {@code 2026-10-03T14:22:05-04:00}: the wall clock in a zone with its offset. */
  static Column isoWithOffset(Column epochSeconds, Column zone) {
    Column wall = wallClock(epochSeconds, zone);
    Column offset = wall.minus(epochSeconds);
    Column[] f = fields(wall);
    return format_string("%04d-%02d-%02dT%02d:%02d:%02d%s%02d:%02d", f[0], f[1], f[2], f[3], f[4], f[5],
        when(offset.lt(0), lit("-")).otherwise(lit("+")),
        floor(abs(offset).divide(3600)).cast("int"), pmod(abs(offset), lit(3600L)).divide(60).cast("int"));
  }

  /** {@code 10/03/2026 14:22} in a zone (CRM exports). */
  static Column usDateTime(Column epochSeconds, Column zone) {
    Column[] f = fields(wallClock(epochSeconds, zone));
    return format_string("%02d/%02d/%04d %02d:%02d", f[1], f[2], f[0], f[3], f[4]);
  }

  /** {@code 03/10/2026 14:22:05} in a zone (service desk). */
  static Column ukDateTime(Column epochSeconds, Column zone) {
    Column[] f = fields(wallClock(epochSeconds, zone));
    return format_string("%02d/%02d/%04d %02d:%02d:%02d", f[2], f[1], f[0], f[3], f[4], f[5]);
  }

  /** {@code 2026-10-03 14:22:05} in a zone (store tills). */
  static Column localDateTime(Column epochSeconds, Column zone) {
    Column[] f = fields(wallClock(epochSeconds, zone));
    return format_string("%04d-%02d-%02d %02d:%02d:%02d", f);
  }

  /** {@code 10/03/2026} for a date. */
  static Column usDate(Column date) {
    return format_string("%02d/%02d/%04d", month(date), dayofmonth(date), year(date));
  }

  /** {@code 2026-10-03} for a date. */
  static Column isoDate(Column date) {
    return format_string("%04d-%02d-%02d", year(date), month(date), dayofmonth(date));
  }

  /** Year, month, day, hour, minute, second of a wall clock given as seconds since 1970. */
  private static Column[] fields(Column wallSeconds) {
    Column date = utcDate(wallSeconds);
    Column secondOfDay = pmod(wallSeconds, lit(86_400L));
    return new Column[] {
        year(date), month(date), dayofmonth(date),
        floor(secondOfDay.divide(3600)).cast("int"),
        floor(pmod(secondOfDay, lit(3600L)).divide(60)).cast("int"),
        pmod(secondOfDay, lit(60L)).cast("int")};
  }
}
