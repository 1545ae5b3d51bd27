package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.cos;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;

/**
 * Hash-based random draws: every value is a function of (seed, salt, keys), so the data does not depend on
 * partitioning or execution order, which {@code rand()} would.
 */
final class Draws {
  private static final long TWO_POW_53 = 1L << 53;

  private final long seed;

  Draws(long seed) {
    this.seed = seed;
  }

  long seed() {
    return seed;
  }

  Column hash(String salt, Column... keys) {
    Column[] inputs = Stream.concat(Stream.of(lit(seed), lit(salt)), Arrays.stream(keys)).toArray(Column[]::new);
    return xxhash64(inputs);
  }

  /** Uniform in [0, 1): 53 hash bits, the precision of a double. */
  Column uniform(String salt, Column... keys) {
    return pmod(hash(salt, keys), lit(TWO_POW_53)).cast("double").divide(lit((double) TWO_POW_53));
  }

  Column chance(double probability, String salt, Column... keys) {
    return uniform(salt, keys).lt(probability);
  }

  Column chance(Column probability, String salt, Column... keys) {
    return uniform(salt, keys).lt(probability);
  }

  /** Integer in [0, n). */
  Column below(int n, String salt, Column... keys) {
    return index(uniform(salt, keys), n);
  }

  /** Integer in [0, n) for a column n. */
  Column below(Column n, String salt, Column... keys) {
    return floor(uniform(salt, keys).multiply(n)).cast("int");
  }

  /** Standard normal by Box-Muller from two independent uniforms. */
  Column normal(String salt, Column... keys) {
    Column u1 = uniform(salt + "#1", keys);
    Column u2 = uniform(salt + "#2", keys);
    return sqrt(log(lit(1.0).minus(u1)).multiply(-2.0)).multiply(cos(u2.multiply(2 * Math.PI)));
  }

  /**
   * Poisson count by inverse CDF of a uniform, summing terms up to a bound that covers the mean plus six
   * standard deviations (so the bounded loop rarely truncates). Higher-order functions are interpreted, not
   * code-generated, and re-evaluate what they reference on every step: pass the mean and the uniform as
   * materialised columns, and use this only where the count must really be Poisson (purchases).
   */
  static Column poisson(Column mean, Column uniform, int cap) {
    Column bound = least(lit(cap), ceil(mean.plus(sqrt(mean).multiply(6)).plus(5)).cast("int"));
    Column start = struct(lit(0).as("k"), exp(mean.multiply(-1)).as("p"), exp(mean.multiply(-1)).as("cdf"));
    return aggregate(sequence(lit(1), bound), start, (acc, i) -> {
      Column next = acc.getField("p").multiply(mean).divide(i);
      return when(uniform.gt(acc.getField("cdf")),
          struct(i.as("k"), next.as("p"), acc.getField("cdf").plus(next).as("cdf"))).otherwise(acc);
    }, acc -> acc.getField("k"));
  }

  /**
   * Geometric count with the given mean: closed form, so cheap. Over-dispersed like real behavioural
   * counts (a few people browse a lot).
   */
  Column geometric(Column mean, int cap, String salt, Column... keys) {
    Column ratio = mean.divide(mean.plus(1));
    Column draw = floor(log(lit(1.0).minus(uniform(salt, keys))).divide(log(ratio)));
    return when(mean.leq(0), lit(0)).otherwise(least(lit(cap), draw).cast("int"));
  }

  /** One of the literal values, uniformly. */
  Column pick(String[] values, String salt, Column... keys) {
    return pick(values, uniform(salt, keys));
  }

  static Column pick(String[] values, Column uniform) {
    return element_at(literals(values), index(uniform, values.length).plus(1));
  }

  /** The literal value at a 0-based index column. */
  static Column at(String[] values, Column index) {
    return element_at(literals(values), index.cast("int").plus(1));
  }

  static Column literals(String... values) {
    return array(Arrays.stream(values).map(v -> lit(v)).toArray(Column[]::new));
  }

  static Column literals(double... values) {
    return array(Arrays.stream(values).mapToObj(v -> lit(v)).toArray(Column[]::new));
  }

  static Column literals(int... values) {
    return array(Arrays.stream(values).mapToObj(v -> lit(v)).toArray(Column[]::new));
  }

  /** 0, 1, ..., count-1 for exploding a count into rows (Spark's sequence(0, -1) would count down). */
  static Column indices(Column count) {
    return when(count.gt(0), sequence(lit(0), count.cast("int").minus(1))).otherwise(array().cast("array<int>"));
  }

  private static Column index(Column uniform, int n) {
    return least(lit(n - 1), floor(uniform.multiply(n))).cast("int");
  }
}
