package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.convert_timezone;
import static org.apache.spark.sql.functions.date_from_unix_date;
import static org.apache.spark.sql.functions.dayofmonth;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.substring;
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
    return concat(isoDate(utcDate(epochSeconds)), lit("T"), time(epochSeconds), lit("Z"));
  }

  /** {@code 2026-10-03T14:22:05-04:00}: the wall clock in a zone with its offset. */
  static Column isoWithOffset(Column epochSeconds, Column zone) {
    Column wall = wallClock(epochSeconds, zone);
    Column offset = wall.minus(epochSeconds);
    return concat(isoDate(utcDate(wall)), lit("T"), time(wall),
        when(offset.lt(0), lit("-")).otherwise(lit("+")),
        two(floor(abs(offset).divide(3600))), lit(":"), two(pmod(abs(offset), lit(3600L)).divide(60)));
  }

  /** {@code 10/03/2026 14:22} in a zone (CRM exports). */
  static Column usDateTime(Column epochSeconds, Column zone) {
    Column wall = wallClock(epochSeconds, zone);
    return concat(usDate(utcDate(wall)), lit(" "), substring(time(wall), 1, 5));
  }

  /** {@code 03/10/2026 14:22:05} in a zone (service desk). */
  static Column ukDateTime(Column epochSeconds, Column zone) {
    Column wall = wallClock(epochSeconds, zone);
    Column date = utcDate(wall);
    return concat(two(dayofmonth(date)), lit("/"), two(month(date)), lit("/"), year(date).cast("string"), lit(" "),
        time(wall));
  }

  /** {@code 2026-10-03 14:22:05} in a zone (store tills). */
  static Column localDateTime(Column epochSeconds, Column zone) {
    Column wall = wallClock(epochSeconds, zone);
    return concat(isoDate(utcDate(wall)), lit(" "), time(wall));
  }

  /** {@code 10/03/2026} for a date. */
  static Column usDate(Column date) {
    return concat(two(month(date)), lit("/"), two(dayofmonth(date)), lit("/"), year(date).cast("string"));
  }

  /** {@code 202610} for a date: campaign ids. */
  static Column yearMonth(Column date) {
    return concat(year(date).cast("string"), two(month(date)));
  }

  /** {@code 2026-10-03} for a date: a date's string form does not depend on the session time zone. */
  static Column isoDate(Column date) {
    return date.cast("string");
  }

  /**
   * {@code 14:22:05} of a wall clock given as seconds since 1970. Built with lpad, not format_string, which
   * calls String.format per row and was the most expensive step of the big feeds.
   */
  private static Column time(Column wallSeconds) {
    Column secondOfDay = pmod(wallSeconds, lit(86_400L));
    return concat(two(floor(secondOfDay.divide(3600))), lit(":"), two(floor(pmod(secondOfDay, lit(3600L)).divide(60))),
        lit(":"), two(pmod(secondOfDay, lit(60L))));
  }

  private static Column two(Column number) {
    return lpad(number.cast("long").cast("string"), 2, "0");
  }
}
