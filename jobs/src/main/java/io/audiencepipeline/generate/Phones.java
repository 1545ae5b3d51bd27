package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;

/**
 * Phone numbers as struct(cc, area, part1, part2) (part2 empty where the national format has one local
 * group), unique by construction, and rendered in the many formats people and systems type them.
 */
final class Phones {
  private static final String[] US_MOBILE_AREAS = {"212", "617", "404", "312", "512", "303", "801", "206",
      "503", "415"};
  private static final String[] DE_MOBILE_PREFIXES = {"151", "152", "157", "160", "162", "170", "171", "172",
      "175", "176"};
  private static final long US_MOBILE_SPACE = 40_000_000L;
  private static final long GB_MOBILE_SPACE = 100_000_000L;
  private static final long DE_MOBILE_SPACE = 900_000_000L;
  private static final long LANDLINE_SPACE = 4_000_000L;

  private Phones() {
  }

  /** A mobile number unique per person: a bijection of the person id over each country's number space. */
  static Column mobile(Column country, Column personId, Draws draws) {
    Column us = Ids.scrambled(draws, "mobile-us", personId, US_MOBILE_SPACE);
    Column usArea = Draws.at(US_MOBILE_AREAS, us.mod(10));
    Column usExchange = floor(us.divide(10)).mod(400).plus(200).cast("string");
    Column usLine = lpad(floor(us.divide(4000)).cast("string"), 4, "0");
    Column gbDigits = Ids.scrambled(draws, "mobile-gb", personId, GB_MOBILE_SPACE).plus(7_400_000_000L)
        .cast("string");
    Column de = Ids.scrambled(draws, "mobile-de", personId, DE_MOBILE_SPACE);
    Column deArea = Draws.at(DE_MOBILE_PREFIXES, de.mod(10));
    Column deLocal = floor(de.divide(10)).plus(10_000_000L).cast("string");
    return when(country.equalTo("US"), phone("1", usArea, usExchange, usLine))
        .when(country.equalTo("GB"), phone("44", substring(gbDigits, 1, 4), substring(gbDigits, 5, 6), lit("")))
        .otherwise(phone("49", deArea, deLocal, lit("")));
  }

  /**
   * A household landline in the city's area code, unique per household block (people / 4 blocks, so at
   * most 2.5 million, inside the 4 million numbers per area).
   */
  static Column landline(Column country, Column areaCode, Column householdBlock, Draws draws) {
    Column m = Ids.scrambled(draws, "landline", householdBlock, LANDLINE_SPACE);
    Column usExchange = m.mod(400).plus(600).cast("string");
    Column usLine = lpad(floor(m.divide(400)).cast("string"), 4, "0");
    Column local7 = m.plus(2_000_000L).cast("string");
    Column london = concat(lit("7"), local7);
    Column gb = when(areaCode.equalTo("20"), phone("44", areaCode, substring(london, 1, 4), substring(london, 5, 4)))
        .otherwise(phone("44", areaCode, substring(local7, 1, 3), substring(local7, 4, 4)));
    return when(country.equalTo("US"), phone("1", areaCode, usExchange, usLine))
        .when(country.equalTo("GB"), gb)
        .otherwise(phone("49", areaCode, local7, lit("")));
  }

  /** {@code +14155550132}: the canonical form, as in the truth. */
  static Column e164(Column phone) {
    return concat(lit("+"), phone.getField("cc"), phone.getField("area"), phone.getField("part1"),
        phone.getField("part2"));
  }

  /**
   * The number as a person or system typed it: E.164 with probability e164Share, otherwise one of the
   * national or international formats of its country. Returns struct(value, mess).
   */
  static Column typed(Column phone, Column uniform, double e164Share) {
    Column cc = phone.getField("cc");
    Column area = phone.getField("area");
    Column p1 = phone.getField("part1");
    Column p2 = phone.getField("part2");
    Column groups = concat_ws(" ", area, p1, when(p2.equalTo(""), lit(null)).otherwise(p2));
    Column local = concat_ws(" ", p1, when(p2.equalTo(""), lit(null)).otherwise(p2));
    Column v = uniform.minus(e164Share).divide(1 - e164Share);
    String national = MessKind.PHONE_NATIONAL_FORMAT.tag();
    String international = MessKind.PHONE_INTERNATIONAL_FORMAT.tag();

    Column us = when(v.lt(0.30), format(concat(lit("("), area, lit(") "), p1, lit("-"), p2), national))
        .when(v.lt(0.50), format(concat(area, lit("."), p1, lit("."), p2), national))
        .when(v.lt(0.70), format(concat(lit("+1 "), area, lit(" "), p1, lit(" "), p2), international))
        .when(v.lt(0.85), format(concat(lit("1-"), area, lit("-"), p1, lit("-"), p2), national))
        .otherwise(format(concat(area, lit("-"), p1, lit("-"), p2), national));
    Column gb = when(v.lt(0.45), format(concat(lit("0"), groups), national))
        .when(v.lt(0.80), format(concat(lit("+44 "), groups), international))
        .otherwise(format(concat(lit("0044 "), groups), international));
    Column de = when(v.lt(0.45), format(concat(lit("0"), area, lit(" "), local), national))
        .when(v.lt(0.80), format(concat(lit("+49 "), groups), international))
        .otherwise(format(concat(lit("0049 (0)"), area, lit(" "), local), international));
    return when(phone.isNull(), struct(lit(null).cast("string").as("value"), lit(null).cast("string").as("mess")))
        .when(uniform.lt(e164Share), format(e164(phone), null))
        .when(cc.equalTo("1"), us)
        .when(cc.equalTo("44"), gb)
        .otherwise(de);
  }

  private static Column phone(String cc, Column area, Column part1, Column part2) {
    return struct(lit(cc).as("cc"), area.as("area"), part1.as("part1"), part2.as("part2"));
  }

  private static Column format(Column value, String mess) {
    return struct(value.as("value"), lit(mess).cast("string").as("mess"));
  }
}
