package io.audiencepipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencepipeline.io.Documents;
import io.audiencepipeline.models.evaluation.ModelMetrics;
import io.audiencepipeline.segmentation.WaterfallReport;
import io.audiencepipeline.unify.UnifyReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The HTML report against the run.json it is rendered from: every number shown is the JSON's, nothing external. */
class ReportHtmlTest {
  static RunSummary summary() {
    List<ModelMetrics.Decile> deciles = new ArrayList<>();
    double capture = 0;
    for (int d = 1; d <= 10; d++) {
      capture += (11 - d) / 55.0;
      deciles.add(new ModelMetrics.Decile(d, 100, 11 - d, 0.1 * (10 - d), 0.1 * (11 - d), (11 - d) / 100.0,
          (11 - d) / 5.5, capture));
    }
    ModelMetrics metrics = new ModelMetrics(1000, 55, 0.055, 0.7712, 0.2104, 0.0481, deciles, List.of(
        new ModelMetrics.ReliabilityBin(0, 0.1, 900, 0.03, 0.031), new ModelMetrics.ReliabilityBin(0.1, 0.2, 0, 0, 0),
        new ModelMetrics.ReliabilityBin(0.2, 0.3, 100, 0.25, 0.22)));
    List<WaterfallReport.Step> steps = List.of(new WaterfallReport.Step("universe", "universe", 3654, 0, 3654),
        new WaterfallReport.Step("no_consent", "suppression", 3654, 1641, 2013),
        new WaterfallReport.Step("climbers <&>", "segment", 2013, 251, 1762),
        new WaterfallReport.Step("exported", "after-segmentation", 251, 0, 251));
    List<RunSummary.Bin> bins = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      bins.add(new RunSummary.Bin(i / 20.0, (i + 1) / 20.0, 1000 - 40 * i));
    }
    return new RunSummary(RunSummary.VERSION, "20261123T000000-abcdef01", "2026-11-21", "nightly", "held", 4,
        "2026-11-23T00:00:00Z", "2026-11-23T00:10:00Z", 600.0, "0.1.0+abc", "f".repeat(64),
        List.of(new RunSummary.Stage("ingest", "ok", 95.2, "71,000 rows in", null),
            new RunSummary.Stage("train", "skipped", 0, "every champion is fresh", null),
            new RunSummary.Stage("export", "held", 12.3, null, "the quality gate held 1 campaign(s)\nmore")),
        List.of(new RunSummary.SourceQuality("accounts", 90, 1959, 1947, 12, 12 / 1959.0)),
        new UnifyReport(71000, 70000, 900, 100, 5200, 40, 3, 1, 2, 65000, Map.of("phone", 4L), "full"),
        List.of(new RunSummary.Model("buys_climbing_30d", "v2", true, "gbt", "2026-11-21", metrics)),
        List.of(new RunSummary.ScoreHistogram("buys_climbing_30d", bins)),
        List.of(new RunSummary.Campaign("climbing_launch", steps, "held", "the audience changed by 60.0% (628 -> 251)",
            251, 28, List.of(new RunSummary.Published("email_tool", "file:/wh/outbox/climbing_launch/email_tool/dt=x",
                200, 10, 3)), List.of(new RunSummary.Night("2026-11-20", 628), new RunSummary.Night("2026-11-21",
                251)))));
  }

  @Test
  void everyNumberOnThePageIsTheOneInRunJson() throws Exception {
    RunSummary summary = summary();
    String html = ReportHtml.render(summary);
    JsonNode json = Documents.JSON.readTree(Documents.JSON.writeValueAsString(summary));
    Matcher field = Pattern.compile("data-field=\"([^\"]+)\"[^>]*>([^<]*)<").matcher(html);
    int checked = 0;
    while (field.find()) {
      JsonNode value = json.at(field.group(1));
      assertFalse(value.isMissingNode(), field.group(1) + " is not in run.json");
      String shown = field.group(2).replace(",", "");
      if (value.isNumber() && !value.isIntegralNumber()) {
        int decimals = shown.contains(".") ? shown.length() - shown.indexOf('.') - 1 : 0;
        assertEquals(String.format(Locale.ROOT, "%." + decimals + "f", value.asDouble()), shown, field.group(1));
      } else {
        assertEquals(value.asText(), shown, field.group(1));
      }
      checked++;
    }
    assertTrue(checked >= 50, "numbers checked: " + checked);
  }

  @Test
  void thePageIsSelfContainedWithOneChartPerFigure() {
    String html = ReportHtml.render(summary());
    assertFalse(html.contains("<script"), "no scripts");
    assertFalse(html.replace("http://www.w3.org/2000/svg", "").matches("(?s).*(https?:|src=|@import|url\\().*"),
        "nothing loaded from elsewhere");
    for (String chart : List.of("waterfall-climbing_launch", "audience-climbing_launch", "gain-buys_climbing_30d",
        "calibration-buys_climbing_30d", "scores-buys_climbing_30d")) {
      assertTrue(html.contains("data-chart=\"" + chart + "\""), chart);
    }
    assertTrue(html.contains("climbers &lt;&amp;&gt;"), "names are escaped");
    assertEquals(3, Pattern.compile("<circle").matcher(html).results().count() + 1, "empty bins are not drawn");
  }
}
