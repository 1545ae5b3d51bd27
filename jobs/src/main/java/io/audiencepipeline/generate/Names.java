package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;

/** Given and family names per market, their ASCII form for e-mail addresses, and typos. */
final class Names {
  private static final String[] US_FIRST = {"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael",
      "Linda", "William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
      "Sarah", "Charles", "Karen", "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
      "Margaret", "Mark", "Sandra", "Steven", "Ashley", "Paul", "Emily", "Andrew", "Donna", "Joshua",
      "Michelle", "Kevin", "Amanda", "Brian", "Melissa", "Tyler", "Olivia", "Ethan", "Madison", "Noah", "Chloe"};
  private static final String[] US_LAST = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
      "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
      "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
      "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen",
      "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell"};
  private static final String[] GB_FIRST = {"Oliver", "George", "Harry", "Jack", "Jacob", "Charlie", "Thomas",
      "Oscar", "William", "James", "Amelia", "Olivia", "Isla", "Emily", "Poppy", "Ava", "Isabella", "Jessica",
      "Lily", "Sophie", "Grace", "Mia", "Ella", "Ruby", "Freya", "Alfie", "Henry", "Leo", "Archie", "Joshua",
      "Sarah", "Emma", "Claire", "Helen", "Rachel", "Laura", "David", "Paul", "Andrew", "Mark", "Stephen", "Ian",
      "Gareth", "Rhys", "Siobhan", "Niamh", "Callum", "Fiona"};
  private static final String[] GB_LAST = {"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
      "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
      "Jackson", "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips", "Mason", "Mitchell", "Rose", "Davis",
      "Hughes", "Edwards", "Turner", "Murphy", "O'Connor", "Cooper", "Ward", "Morris", "King", "Harrison",
      "Morgan", "Baker", "Price", "Bennett", "Griffiths", "Kelly", "Shaw", "Lloyd", "Ellis"};
  private static final String[] DE_FIRST = {"Lukas", "Leon", "Finn", "Jonas", "Paul", "Elias", "Felix",
      "Maximilian", "Noah", "Ben", "Emma", "Mia", "Hannah", "Sofia", "Emilia", "Lina", "Marie", "Lea", "Anna",
      "Lena", "Jürgen", "Björn", "Sören", "Günter", "Uwe", "Stefan", "Andreas", "Thomas", "Michael", "Sabine",
      "Petra", "Claudia", "Katrin", "Anja", "Julia", "Jana", "Jörg", "Dieter", "Wolfgang", "Ursula", "Monika",
      "Birgit", "Tobias", "Florian", "Sebastian", "Matthias", "Jan", "Tim"};
  private static final String[] DE_LAST = {"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
      "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
      "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
      "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
      "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller",
      "Weiß", "Jung"};

  private Names() {
  }

  static Column firstName(Column country, Column uniform) {
    return byCountry(country, uniform, US_FIRST, GB_FIRST, DE_FIRST);
  }

  static Column lastName(Column country, Column uniform) {
    return byCountry(country, uniform, US_LAST, GB_LAST, DE_LAST);
  }

  /** Lower-case ASCII letters only, with German transliteration (Müller -> mueller), for e-mail local parts. */
  static Column ascii(Column name) {
    Column lowered = lower(name);
    for (String[] pair : new String[][] {{"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}}) {
      lowered = regexp_replace(lowered, pair[0], pair[1]);
    }
    return regexp_replace(lowered, "[^a-z]", "");
  }

  /**
   * The name with one typo: a dropped, doubled or swapped letter at a position inside the name (never the
   * first letter, which people rarely get wrong).
   */
  static Column withTypo(Column name, Column kindUniform, Column positionUniform) {
    Column position = floor(positionUniform.multiply(length(name).minus(2))).cast("int").plus(2);
    Column before = substring(name, lit(1), position.minus(1));
    Column at = substring(name, position, lit(1));
    Column next = substring(name, position.plus(1), lit(1));
    Column dropped = concat(before, substring(name, position.plus(1), lit(1000)));
    Column doubled = concat(before, at, at, substring(name, position.plus(1), lit(1000)));
    Column swapped = concat(before, next, at, substring(name, position.plus(2), lit(1000)));
    Column typo = when(kindUniform.lt(1.0 / 3), dropped).when(kindUniform.lt(2.0 / 3), doubled).otherwise(swapped);
    return when(length(name).geq(3), typo).otherwise(name);
  }

  private static Column byCountry(Column country, Column uniform, String[] us, String[] gb, String[] de) {
    return when(country.equalTo("US"), Draws.pick(us, uniform))
        .when(country.equalTo("GB"), Draws.pick(gb, uniform))
        .otherwise(Draws.pick(de, uniform));
  }
}
