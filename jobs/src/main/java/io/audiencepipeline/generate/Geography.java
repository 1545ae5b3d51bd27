package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;

/** Countries, cities, stores, streets and postcodes of the fictional retailer's three markets. */
final class Geography {
  record City(String name, String country, String zone, int utcOffset, String postcodePrefix, String areaCode) {
  }

  record Store(String storeId, String country, String zone) {
  }

  // Cities are grouped by country in the order US, GB, DE; cityIndex relies on that.
  static final List<City> CITIES = List.of(
      new City("New York", "US", "America/New_York", -5, "100", "212"),
      new City("Boston", "US", "America/New_York", -5, "021", "617"),
      new City("Atlanta", "US", "America/New_York", -5, "303", "404"),
      new City("Chicago", "US", "America/Chicago", -6, "606", "312"),
      new City("Austin", "US", "America/Chicago", -6, "787", "512"),
      new City("Denver", "US", "America/Denver", -7, "802", "303"),
      new City("Salt Lake City", "US", "America/Denver", -7, "841", "801"),
      new City("Seattle", "US", "America/Los_Angeles", -8, "981", "206"),
      new City("Portland", "US", "America/Los_Angeles", -8, "972", "503"),
      new City("San Francisco", "US", "America/Los_Angeles", -8, "941", "415"),
      new City("London", "GB", "Europe/London", 0, "SE", "20"),
      new City("Manchester", "GB", "Europe/London", 0, "M", "161"),
      new City("Birmingham", "GB", "Europe/London", 0, "B", "121"),
      new City("Leeds", "GB", "Europe/London", 0, "LS", "113"),
      new City("Bristol", "GB", "Europe/London", 0, "BS", "117"),
      new City("Edinburgh", "GB", "Europe/London", 0, "EH", "131"),
      new City("Berlin", "DE", "Europe/Berlin", 1, "10", "30"),
      new City("München", "DE", "Europe/Berlin", 1, "80", "89"),
      new City("Hamburg", "DE", "Europe/Berlin", 1, "20", "40"),
      new City("Köln", "DE", "Europe/Berlin", 1, "50", "221"),
      new City("Frankfurt am Main", "DE", "Europe/Berlin", 1, "60", "69"));

  // Grouped by country in the order US, GB, DE; storeIndex relies on that.
  static final List<Store> STORES = List.of(
      new Store("US-NYC-01", "US", "America/New_York"),
      new Store("US-BOS-01", "US", "America/New_York"),
      new Store("US-CHI-01", "US", "America/Chicago"),
      new Store("US-DEN-01", "US", "America/Denver"),
      new Store("US-SEA-01", "US", "America/Los_Angeles"),
      new Store("US-SFO-01", "US", "America/Los_Angeles"),
      new Store("GB-LON-01", "GB", "Europe/London"),
      new Store("GB-LON-02", "GB", "Europe/London"),
      new Store("GB-MAN-01", "GB", "Europe/London"),
      new Store("DE-BER-01", "DE", "Europe/Berlin"),
      new Store("DE-MUC-01", "DE", "Europe/Berlin"),
      new Store("DE-HAM-01", "DE", "Europe/Berlin"));

  private static final String[] US_STREETS = {"Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake",
      "Hill", "Park", "Main", "Sunset", "Highland", "Ridge", "River", "Forest", "Meadow", "Spring", "Valley",
      "Church", "Mill", "Lincoln", "Jefferson", "Willow", "Birch"};
  private static final String[] US_STREET_TYPES = {"St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct"};
  private static final String[] GB_STREETS = {"High", "Station", "Church", "Victoria", "Green", "Manor",
      "Park", "Queens", "Kings", "Mill", "York", "London", "Albert", "Grange", "Windsor", "Chester", "Orchard",
      "Springfield", "Meadow", "Beech"};
  private static final String[] GB_STREET_TYPES = {"Road", "Street", "Lane", "Close", "Avenue", "Gardens"};
  private static final String[] DE_STREETS = {"Haupt", "Schul", "Garten", "Bahnhof", "Dorf", "Berg", "Birken",
      "Linden", "Kirch", "Wald", "Ring", "Feld", "Mühlen", "Wiesen", "Rosen", "Eichen", "Goethe", "Schiller"};
  private static final String[] DE_STREET_TYPES = {"straße", "weg", "allee", "gasse"};
  private static final String[] GB_POSTCODE_LETTERS = {"A", "B", "D", "E", "F", "G", "H", "J", "L", "N", "P",
      "Q", "R", "S", "T", "U", "W", "X", "Y", "Z"};

  private Geography() {
  }

  /** US 60%, GB 25%, DE 15%. */
  static Column country(Column uniform) {
    return when(uniform.lt(0.60), lit("US")).when(uniform.lt(0.85), lit("GB")).otherwise(lit("DE"));
  }

  /** 0-based index into {@link #CITIES} within the country. */
  static Column cityIndex(Column country, Column uniform) {
    return indexWithinCountry(country, uniform, CITIES.stream().map(City::country).toList());
  }

  /** 0-based index into {@link #STORES} within the country. */
  static Column storeIndex(Column country, Column uniform) {
    return indexWithinCountry(country, uniform, STORES.stream().map(Store::country).toList());
  }

  static Column city(Column cityIndex) {
    return Draws.at(CITIES.stream().map(City::name).toArray(String[]::new), cityIndex);
  }

  static Column zone(Column cityIndex) {
    return Draws.at(CITIES.stream().map(City::zone).toArray(String[]::new), cityIndex);
  }

  static Column utcOffset(Column cityIndex) {
    return element_at(Draws.literals(CITIES.stream().mapToInt(City::utcOffset).toArray()), cityIndex.plus(1));
  }

  static Column areaCode(Column cityIndex) {
    return Draws.at(CITIES.stream().map(City::areaCode).toArray(String[]::new), cityIndex);
  }

  static Column storeId(Column storeIndex) {
    return Draws.at(STORES.stream().map(Store::storeId).toArray(String[]::new), storeIndex);
  }

  static Column storeCountry(Column storeIndex) {
    return Draws.at(STORES.stream().map(Store::country).toArray(String[]::new), storeIndex);
  }

  static Column storeZone(Column storeIndex) {
    return Draws.at(STORES.stream().map(Store::zone).toArray(String[]::new), storeIndex);
  }

  static Column currency(Column country) {
    return when(country.equalTo("US"), lit("USD")).when(country.equalTo("GB"), lit("GBP")).otherwise(lit("EUR"));
  }

  /** Catalogue prices are in dollars; the other markets price them at these rates. */
  static Column priceFactor(Column country) {
    return when(country.equalTo("US"), lit(1.0)).when(country.equalTo("GB"), lit(0.79)).otherwise(lit(0.92));
  }

  /** {@code 412 Maple Ave}, {@code 7 Station Road}, {@code Lindenstraße 12}. */
  static Column addressLine(Column country, Draws draws, Column... keys) {
    Column number = draws.below(480, "house-number", keys).plus(1).cast("string");
    Column uStreet = draws.uniform("street", keys);
    Column uType = draws.uniform("street-type", keys);
    return when(country.equalTo("US"), concat(number, lit(" "), Draws.pick(US_STREETS, uStreet), lit(" "),
            Draws.pick(US_STREET_TYPES, uType)))
        .when(country.equalTo("GB"), concat(number, lit(" "), Draws.pick(GB_STREETS, uStreet), lit(" "),
            Draws.pick(GB_STREET_TYPES, uType)))
        .otherwise(concat(Draws.pick(DE_STREETS, uStreet), Draws.pick(DE_STREET_TYPES, uType), lit(" "), number));
  }

  /** US ZIP, UK postcode or German PLZ near the city. */
  static Column postcode(Column country, Column cityIndex, Draws draws, Column... keys) {
    Column prefix = Draws.at(CITIES.stream().map(City::postcodePrefix).toArray(String[]::new), cityIndex);
    Column us = concat(prefix, lpad(draws.below(100, "zip", keys).cast("string"), 2, "0"));
    Column gb = concat(prefix, draws.below(19, "district", keys).plus(1).cast("string"), lit(" "),
        draws.below(10, "sector", keys).cast("string"), draws.pick(GB_POSTCODE_LETTERS, "unit1", keys),
        draws.pick(GB_POSTCODE_LETTERS, "unit2", keys));
    Column de = concat(prefix, lpad(draws.below(1000, "plz", keys).cast("string"), 3, "0"));
    return when(country.equalTo("US"), us).when(country.equalTo("GB"), gb).otherwise(de);
  }

  private static Column indexWithinCountry(Column country, Column uniform, List<String> countries) {
    Column result = null;
    for (String code : List.of("US", "GB", "DE")) {
      int first = countries.indexOf(code);
      int count = countries.lastIndexOf(code) - first + 1;
      Column index = lit(first).plus(least(lit(count - 1),
          floor(uniform.multiply(count)).cast("int")));
      result = result == null ? when(country.equalTo(code), index) : result.when(country.equalTo(code), index);
    }
    return result;
  }
}
