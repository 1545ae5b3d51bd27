package io.audiencepipeline.models.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.Test;

/** The reasons' selection against a plain sort of every slot's rounded contribution (no Spark needed). */
class ExplanationTest {

  @Test
  void topMatchesSortingEveryRoundedContribution() {
    Random random = new Random(7);
    int slots = 40;
    String[] names = new String[slots];
    double[] weights = new double[slots];
    double[] means = new double[slots];
    for (int i = 0; i < slots; i++) {
      names[i] = "f" + (char) ('a' + random.nextInt(26)) + i;
      // Repeated weights and means make exact ties, tiny weights make contributions that round to zero or
      // differ from others only below the rounding.
      weights[i] = switch (i % 5) {
        case 0 -> 0.5;
        case 1 -> -0.5;
        case 2 -> 1e-10 * random.nextInt(20);
        case 3 -> 1.0;
        default -> 0.5 + 1e-10 * random.nextInt(3);
      };
      means[i] = i % 3 == 0 ? 1.0 : random.nextInt(2);
    }
    for (int row = 0; row < 5_000; row++) {
      double[] values = new double[slots];
      for (int i = 0; i < slots; i++) {
        values[i] = switch (random.nextInt(5)) {
          case 0 -> 0;
          case 1 -> 2.0;
          case 2 -> 2.0 + 1e-10 * random.nextInt(10);
          case 3 -> 3.0;
          default -> random.nextDouble() * 4;
        };
      }
      Vector vector = row % 2 == 0 ? Vectors.dense(values) : Vectors.dense(values).toSparse();
      for (int k : new int[] {0, 1, 3, 8, 50}) {
        assertEquals(reference(values, names, weights, means, k), Explanation.top(vector, names, weights, means, k),
            "row " + row + ", k " + k);
      }
    }
  }

  @Test
  void largeContributionsStillTieByName() {
    String[] names = {"b", "a", "c"};
    double[] weights = {1, 1, 1};
    double[] means = {0, 0, 0};
    Vector values = Vectors.dense(3e9, 3e9, 1);
    assertEquals(List.of("a"), Explanation.top(values, names, weights, means, 1));
    assertEquals(List.of("a", "b", "c"), Explanation.top(values, names, weights, means, 3));
  }

  private static List<String> reference(double[] values, String[] names, double[] weights, double[] means, int k) {
    record Slot(String name, double contribution) {
    }
    List<Slot> positive = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      double c = BigDecimal.valueOf((values[i] - means[i]) * weights[i]).setScale(9, RoundingMode.HALF_UP)
          .doubleValue();
      if (c > 0) {
        positive.add(new Slot(names[i], c));
      }
    }
    positive.sort(Comparator.comparingDouble(Slot::contribution).reversed().thenComparing(Slot::name));
    return positive.stream().limit(k).map(Slot::name).toList();
  }
}
