package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import java.time.LocalDate;
import org.apache.spark.sql.Column;

/**
 * The generated period: events happen on [start, end] (UTC days) and land from start to end + 6. The label
 * window is the 30 days after end.
 */
record Period(LocalDate start, LocalDate end, int days) {
  static final int LABEL_HORIZON_DAYS = 30;
  static final int MAX_LANDING_DELAY_DAYS = 6;

  static Period of(GeneratorSettings settings) {
    return new Period(settings.startDate(), settings.endDate(), settings.days());
  }

  long startEpoch() {
    return start.toEpochDay() * 86_400L;
  }

  long endEpochExclusive() {
    return end.plusDays(1).toEpochDay() * 86_400L;
  }

  LocalDate lastLanding() {
    return end.plusDays(MAX_LANDING_DELAY_DAYS);
  }

  /**
   * An instant on window day {@code day} (0-based) at a local time of day. The local time is shifted to
   * UTC by the zone's standard offset and wrapped into the same UTC day, so every event stays inside the
   * window while still following the person's daytime rhythm.
   */
  Column instant(Column day, Column localSecondOfDay, Column utcOffsetHours) {
    Column utcSecond = pmod(localSecondOfDay.minus(utcOffsetHours.multiply(3600)), lit(86_400L));
    return lit(startEpoch()).plus(day.cast("long").multiply(86_400L)).plus(utcSecond);
  }

  /** The landing date of something that happened at an instant and is delivered lagDays later. */
  Column landing(Column epochSeconds, Column lagDays) {
    return date_add(Clock.utcDate(epochSeconds), lagDays);
  }

  Column firstLanding() {
    return lit(start);
  }
}
