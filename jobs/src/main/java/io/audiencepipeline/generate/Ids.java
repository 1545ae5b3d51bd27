package io.audiencepipeline.generate;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.conv;
import static org.apache.spark.sql.functions.hex;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.substring;

import java.math.BigInteger;
import org.apache.spark.sql.Column;

/**
 * Identifiers that are unique by construction yet do not reveal the person: an affine bijection
 * {@code (x * a + b) mod 10^digits} of a composite counter such as {@code person * 512 + event}. Hashes
 * could collide; a bijection cannot.
 */
final class Ids {
  private static final long MAX_MODULUS = 1_000_000_000_000L;
  private static final long SPLIT = 1_000_000L;

  private Ids() {
  }

  /** A fixed-width decimal id; x must be below 10^digits. */
  static Column number(Draws draws, String salt, Column x, int digits) {
    if (digits < 4 || digits > 12) {
      throw new IllegalArgumentException("digits must be between 4 and 12, got " + digits);
    }
    return lpad(scrambled(draws, salt, x, pow10(digits)).cast("string"), digits, "0");
  }

  /**
   * A bijection of [0, modulus) onto itself as a long column, for numbers that must be unique but look
   * random. The multiplier is near modulus / golden ratio, so consecutive inputs land far apart. x must be
   * below the modulus, and the modulus at most 10^12.
   */
  static Column scrambled(Draws draws, String salt, Column x, long modulus) {
    if (modulus > MAX_MODULUS) {
      throw new IllegalArgumentException("modulus above 10^12: " + modulus);
    }
    long mixed = mix(draws.seed() * 31 + salt.hashCode());
    long multiplier = (long) (modulus * 0.6180339887498949) + Math.floorMod(mixed, 1000L);
    // A multiplier coprime to the modulus is what makes the map a bijection.
    while (BigInteger.valueOf(multiplier).gcd(BigInteger.valueOf(modulus)).longValue() != 1) {
      multiplier++;
    }
    long offset = Math.floorMod(mix(mixed), modulus);
    return pmod(multiplyModulo(x.cast("long"), multiplier, modulus).plus(lit(offset)), lit(modulus));
  }

  /**
   * x * multiplier mod modulus without leaving a long (Spark 4 runs in ANSI mode, where overflow fails the
   * job): the multiplier is split at 10^6, so no intermediate exceeds 2 * 10^18 for operands below 10^12.
   */
  private static Column multiplyModulo(Column x, long multiplier, long modulus) {
    long high = multiplier / SPLIT;
    long low = multiplier % SPLIT;
    Column highPart = pmod(x.multiply(lit(high)), lit(modulus)).multiply(lit(SPLIT));
    return pmod(highPart.plus(x.multiply(lit(low))), lit(modulus));
  }

  /** A prefixed decimal id such as {@code ORD-004711223344}. */
  static Column code(String prefix, Draws draws, String salt, Column x, int digits) {
    return concat(lit(prefix), number(draws, salt, x, digits));
  }

  /** A Salesforce-looking id: a 3-character object prefix and 12 base-36 characters. */
  static Column salesforce(String objectPrefix, Draws draws, String salt, Column x) {
    return concat(lit(objectPrefix), lpad(conv(number(draws, salt, x, 12), 10, 36), 12, "0"));
  }

  /** A UUID-shaped id from two 64-bit hashes; for device ids, where real systems use UUIDs. */
  static Column uuid(Draws draws, String salt, Column... keys) {
    Column hex = concat(hex16(draws.hash(salt + "#hi", keys)), hex16(draws.hash(salt + "#lo", keys)));
    return concat(substring(hex, 1, 8), lit("-"), substring(hex, 9, 4), lit("-4"), substring(hex, 14, 3),
        lit("-"), substring(hex, 17, 4), lit("-"), substring(hex, 21, 12));
  }

  private static Column hex16(Column hash) {
    return lpad(lower(hex(hash)), 16, "0");
  }

  private static long pow10(int digits) {
    long value = 1;
    for (int i = 0; i < digits; i++) {
      value *= 10;
    }
    return value;
  }

  /** SplitMix64's finaliser: spreads seed and salt over all bits. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
