package io.audiencepipeline.report;

import io.audiencepipeline.models.evaluation.ModelMetrics;
import io.audiencepipeline.segmentation.WaterfallReport;
import io.audiencepipeline.unify.UnifyReport;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG; no scripts, fonts or images from anywhere)
 * rendered from the {@link RunSummary} that is also written as run.json. Every number shown carries
 * {@code data-field="<JSON pointer into run.json>"}, so a test (or a curious analyst) can check the page
 * against the JSON; every chart is an {@code <svg data-chart="...">}.
 */
public final class ReportHtml {
  private static final String CSS = """
      body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:1100px;
      padding:16px 24px;color:#1f2933;background:#fff}
      h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d9e2ec}
      h3{font-size:15px;margin:18px 0 6px}table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
      th,td{padding:3px 10px;border-bottom:1px solid #eef2f6;text-align:right}th{background:#f5f7fa}
      td.l,th.l{text-align:left}.muted{color:#627d98;font-size:12px}.badge{padding:2px 8px;border-radius:10px;
      color:#fff;font-size:13px}.ok{background:#2f855a}.held{background:#b7791f}.failed{background:#c53030}
      .skipped{background:#829ab1}.missing{background:#9b2c2c}
      .row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
      svg{background:#fbfcfd;border:1px solid #eef2f6}svg text{font-size:11px;fill:#334e68}
      """;
  private static final String TAKEN = "#d64545";
  private static final String KEPT = "#3b82c4";
  private static final String GREY = "#bcccdc";

  private ReportHtml() {
  }

  public static String render(RunSummary s) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Audience Pipeline run ").append(esc(s.runDate())).append("</title><style>").append(CSS)
        .append("</style></head><body>\n");
    h.append("<h1>Audience Pipeline: night of <span data-field=\"/run_date\">").append(esc(s.runDate()))
        .append("</span> <span class=\"badge ").append(esc(s.status())).append("\" data-field=\"/status\">")
        .append(esc(s.status())).append("</span></h1>\n");
    h.append("<p class=\"muted\">command ").append(esc(s.command())).append(" &middot; run ").append(esc(s.runId()))
        .append(" &middot; exit <span data-field=\"/exit_code\">").append(s.exitCode())
        .append("</span> &middot; ").append(esc(s.startedAt())).append(" to ").append(esc(s.finishedAt()))
        .append(" &middot; <span data-field=\"/seconds\">").append(num(s.seconds(), 1)).append("</span> s")
        .append(" &middot; code ").append(esc(s.codeVersion())).append(" &middot; config ")
        .append(esc(s.configFingerprint().substring(0, Math.min(12, s.configFingerprint().length()))))
        .append("</p>\n");
    stages(h, s);
    campaigns(h, s);
    models(h, s);
    scores(h, s);
    dataQuality(h, s);
    identity(h, s.identity());
    h.append("<p class=\"muted\">Counts only: this page never shows customer identifiers. The same numbers are in"
        + " run.json next to this file.</p>\n</body></html>\n");
    return h.toString();
  }

  private static void stages(StringBuilder h, RunSummary s) {
    h.append("<h2>Stages</h2><table><tr><th class=\"l\">stage</th><th class=\"l\">status</th><th>seconds</th>"
        + "<th class=\"l\">summary</th></tr>\n");
    for (int i = 0; i < s.stages().size(); i++) {
      RunSummary.Stage st = s.stages().get(i);
      String p = "/stages/" + i;
      String text = st.error() != null ? st.error() : st.summary() == null ? "" : st.summary();
      int newline = text.indexOf('\n');
      h.append("<tr><td class=\"l\" data-field=\"").append(p).append("/name\">").append(esc(st.name()))
          .append("</td><td class=\"l\"><span class=\"badge ").append(esc(st.status())).append("\" data-field=\"")
          .append(p).append("/status\">").append(esc(st.status())).append("</span></td>")
          .append(cell(p + "/seconds", num(st.seconds(), 1)))
          .append("<td class=\"l\">").append(esc(newline < 0 ? text : text.substring(0, newline)))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void campaigns(StringBuilder h, RunSummary s) {
    if (s.campaigns().isEmpty()) {
      return;
    }
    h.append("<h2>Campaigns</h2>\n");
    for (int c = 0; c < s.campaigns().size(); c++) {
      RunSummary.Campaign campaign = s.campaigns().get(c);
      String p = "/campaigns/" + c;
      h.append("<h3>").append(esc(campaign.campaign())).append(": <span data-field=\"").append(p)
          .append("/exported\">").append(count(campaign.exported())).append("</span> exported, <span data-field=\"")
          .append(p).append("/holdout\">").append(count(campaign.holdout())).append("</span> in the control holdout");
      if (campaign.qualityGate() != null) {
        h.append(", quality gate <span data-field=\"").append(p).append("/quality_gate\">")
            .append(esc(campaign.qualityGate())).append("</span>");
      }
      h.append("</h3>\n");
      if (campaign.gateReason() != null && !campaign.gateReason().isEmpty()) {
        h.append("<p class=\"muted\">").append(esc(campaign.gateReason())).append("</p>\n");
      }
      h.append("<div class=\"row\">");
      waterfallChart(h, campaign);
      historyChart(h, campaign);
      h.append("</div>\n<table><tr><th class=\"l\">step</th><th class=\"l\">kind</th><th>entering</th><th>taken</th>"
          + "<th>remaining</th></tr>\n");
      for (int i = 0; i < campaign.waterfall().size(); i++) {
        WaterfallReport.Step step = campaign.waterfall().get(i);
        String q = p + "/waterfall/" + i;
        h.append("<tr><td class=\"l\">").append(esc(step.name())).append("</td><td class=\"l\">")
            .append(esc(step.kind())).append("</td>").append(cell(q + "/entering", count(step.entering())))
            .append(cell(q + "/taken", count(step.taken()))).append(cell(q + "/remaining", count(step.remaining())))
            .append("</tr>\n");
      }
      h.append("</table>\n");
      if (!campaign.published().isEmpty()) {
        h.append("<table><tr><th class=\"l\">destination</th><th>rows</th><th>added</th><th>removed</th>"
            + "<th class=\"l\">published to</th></tr>\n");
        for (int i = 0; i < campaign.published().size(); i++) {
          RunSummary.Published d = campaign.published().get(i);
          String q = p + "/published/" + i;
          h.append("<tr><td class=\"l\">").append(esc(d.destination())).append("</td>")
              .append(cell(q + "/rows", count(d.rows()))).append(cell(q + "/added", count(d.added())))
              .append(cell(q + "/removed", count(d.removed()))).append("<td class=\"l muted\">").append(esc(d.path()))
              .append("</td></tr>\n");
        }
        h.append("</table>\n");
      }
    }
  }

  /** Horizontal bars: for each step, what it took (red) of what entered it, and what remained (blue). */
  private static void waterfallChart(StringBuilder h, RunSummary.Campaign campaign) {
    List<WaterfallReport.Step> steps = campaign.waterfall();
    long max = Math.max(1, steps.stream().mapToLong(WaterfallReport.Step::entering).max().orElse(1));
    int rowHeight = 18;
    int labelWidth = 170;
    int barWidth = 330;
    int height = steps.size() * rowHeight + 24;
    h.append(svgOpen("waterfall-" + campaign.campaign(), labelWidth + barWidth + 70, height,
        "Waterfall of " + campaign.campaign()));
    for (int i = 0; i < steps.size(); i++) {
      WaterfallReport.Step step = steps.get(i);
      int y = 8 + i * rowHeight;
      double taken = barWidth * step.taken() / (double) max;
      double remaining = barWidth * step.remaining() / (double) max;
      // Long step names are shortened to fit the label column; the full name shows on hover and in the table.
      String label = step.name().length() > 26 ? step.name().substring(0, 25) + "\u2026" : step.name();
      h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\"><title>%s</title>%s</text>",
          labelWidth - 6, y + 12, esc(step.name()), esc(label)));
      h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
          labelWidth, y + 2, remaining, rowHeight - 5, KEPT));
      h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
          labelWidth + remaining, y + 2, taken, rowHeight - 5, TAKEN));
      h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>", labelWidth + remaining + taken + 4,
          y + 12, step.taken() > 0 ? "-" + count(step.taken()) : count(step.remaining())));
    }
    h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">blue: remaining, red: taken by the step</text>",
        labelWidth, height - 4));
    h.append("</svg>");
  }

  /** Exported audience per night: earlier nights' reports, then tonight. */
  private static void historyChart(StringBuilder h, RunSummary.Campaign campaign) {
    List<RunSummary.Night> nights = campaign.history();
    long max = Math.max(1, nights.stream().mapToLong(RunSummary.Night::exported).max().orElse(1));
    int width = 300;
    int height = 160;
    int slot = Math.max(8, (width - 40) / Math.max(1, nights.size()));
    h.append(svgOpen("audience-" + campaign.campaign(), width, height, "Audience size by night of "
        + campaign.campaign()));
    for (int i = 0; i < nights.size(); i++) {
      RunSummary.Night n = nights.get(i);
      double bar = (height - 50) * n.exported() / (double) max;
      int x = 20 + i * slot;
      boolean tonight = i == nights.size() - 1;
      h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
          + "<title>%s: %s</title></rect>", x, height - 30 - bar, slot - 3, Math.max(bar, 1), tonight ? KEPT : GREY,
          esc(n.runDate()), count(n.exported())));
    }
    h.append(String.format(Locale.ROOT, "<text x=\"20\" y=\"%d\">exported per night (%d night%s; max %s)</text>",
        height - 12, nights.size(), nights.size() == 1 ? "" : "s", count(max)));
    h.append("</svg>");
  }

  private static void models(StringBuilder h, RunSummary s) {
    if (s.models().isEmpty()) {
      return;
    }
    h.append("<h2>Models (the champions that scored tonight)</h2>\n<table><tr><th class=\"l\">target</th>"
        + "<th class=\"l\">version</th><th class=\"l\">algorithm</th><th>test rows</th><th>base rate</th>"
        + "<th>ROC AUC</th><th>PR AUC</th><th>Brier</th><th>top-decile lift</th></tr>\n");
    for (int i = 0; i < s.models().size(); i++) {
      RunSummary.Model m = s.models().get(i);
      ModelMetrics x = m.metrics();
      String p = "/models/" + i + "/metrics";
      h.append("<tr><td class=\"l\">").append(esc(m.target())).append("</td><td class=\"l\">").append(esc(m.version()))
          .append(m.trainedTonight() ? " (trained tonight)" : "").append("</td><td class=\"l\">")
          .append(esc(m.algorithm())).append("</td>").append(cell(p + "/rows", count(x.rows())))
          .append(cell(p + "/base_rate", num(x.baseRate(), 4))).append(cell(p + "/roc_auc", num(x.rocAuc(), 4)))
          .append(cell(p + "/pr_auc", num(x.prAuc(), 4))).append(cell(p + "/brier", num(x.brier(), 4)))
          .append(x.deciles().isEmpty() ? "<td></td>" : cell(p + "/deciles/0/lift", num(x.deciles().get(0).lift(), 2)))
          .append("</tr>\n");
    }
    h.append("</table>\n");
    for (RunSummary.Model m : s.models()) {
      h.append("<h3>").append(esc(m.target())).append(" ").append(esc(m.version())).append("</h3><div class=\"row\">");
      gainChart(h, m);
      calibrationChart(h, m);
      h.append("</div>\n");
    }
  }

  /** Cumulative share of positives captured by the top k deciles, against random targeting (the diagonal). */
  private static void gainChart(StringBuilder h, RunSummary.Model m) {
    int size = 220;
    int pad = 30;
    h.append(svgOpen("gain-" + m.target(), size + 2 * pad, size + 2 * pad, "Cumulative gain of " + m.target()));
    axes(h, size, pad, "share of customers (by score)", "share of buyers captured");
    StringBuilder points = new StringBuilder(String.format(Locale.ROOT, "%d,%d", pad, pad + size));
    List<ModelMetrics.Decile> deciles = m.metrics().deciles();
    for (int i = 0; i < deciles.size(); i++) {
      double x = pad + size * (i + 1) / (double) deciles.size();
      double y = pad + size * (1 - deciles.get(i).cumulativeCapture());
      points.append(String.format(Locale.ROOT, " %.1f,%.1f", x, y));
    }
    h.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>",
        points, KEPT));
    h.append("</svg>");
  }

  /** Mean predicted probability against the observed rate per reliability bin; perfect calibration is the diagonal. */
  private static void calibrationChart(StringBuilder h, RunSummary.Model m) {
    int size = 220;
    int pad = 30;
    h.append(svgOpen("calibration-" + m.target(), size + 2 * pad, size + 2 * pad, "Calibration of " + m.target()));
    axes(h, size, pad, "predicted probability", "observed rate");
    for (ModelMetrics.ReliabilityBin bin : m.metrics().reliability()) {
      if (bin.rows() == 0) {
        continue;
      }
      double radius = Math.min(9, 2 + Math.log10(bin.rows() + 1) * 1.5);
      h.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"0.8\">"
          + "<title>%s customers: predicted %.3f, observed %.3f</title></circle>", pad + size * bin.meanPredicted(),
          pad + size * (1 - bin.observedRate()), radius, TAKEN, count(bin.rows()), bin.meanPredicted(),
          bin.observedRate()));
    }
    h.append("</svg>");
  }

  private static void axes(StringBuilder h, int size, int pad, String xLabel, String yLabel) {
    h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"%s\"/>", pad, pad, size, size, GREY));
    h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
        + "stroke-dasharray=\"4 3\"/>", pad, pad + size, pad + size, pad, GREY));
    h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>", pad, pad + size + 18, esc(xLabel)));
    h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>", pad, pad - 8, esc(yLabel)));
  }

  private static void scores(StringBuilder h, RunSummary s) {
    if (s.scores().isEmpty()) {
      return;
    }
    h.append("<h2>Score distributions (customers per calibrated probability, bins of 0.05)</h2><div class=\"row\">");
    for (int t = 0; t < s.scores().size(); t++) {
      RunSummary.ScoreHistogram histogram = s.scores().get(t);
      long max = Math.max(1, histogram.bins().stream().mapToLong(RunSummary.Bin::customers).max().orElse(1));
      int width = 260;
      int height = 140;
      int slot = (width - 20) / histogram.bins().size();
      h.append(svgOpen("scores-" + histogram.target(), width, height, "Score distribution of " + histogram.target()));
      for (int i = 0; i < histogram.bins().size(); i++) {
        RunSummary.Bin bin = histogram.bins().get(i);
        double bar = (height - 40) * bin.customers() / (double) max;
        h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
            + "<title>%.2f-%.2f: %s</title></rect>", 10 + i * slot, height - 25 - bar, slot - 1, bar, KEPT,
            bin.lower(), bin.upper(), count(bin.customers())));
      }
      h.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s (0 to 1)</text>", height - 8,
          esc(histogram.target())));
      h.append("</svg>");
    }
    h.append("</div>\n");
  }

  private static void dataQuality(StringBuilder h, RunSummary s) {
    if (s.dataQuality().isEmpty()) {
      return;
    }
    h.append("<h2>Data quality (rows ingested tonight)</h2><table><tr><th class=\"l\">source</th>"
        + "<th>landing dates</th><th>rows in</th><th>good</th><th>quarantined</th><th>bad-row rate</th></tr>\n");
    for (int i = 0; i < s.dataQuality().size(); i++) {
      RunSummary.SourceQuality q = s.dataQuality().get(i);
      String p = "/data_quality/" + i;
      h.append("<tr><td class=\"l\">").append(esc(q.source())).append("</td>")
          .append(cell(p + "/landing_dates", count(q.landingDates()))).append(cell(p + "/rows_in", count(q.rowsIn())))
          .append(cell(p + "/good", count(q.good()))).append(cell(p + "/quarantined", count(q.quarantined())))
          .append(cell(p + "/bad_row_rate", num(q.badRowRate(), 4))).append("</tr>\n");
    }
    h.append("</table>\n");
  }

  private static void identity(StringBuilder h, UnifyReport u) {
    if (u == null) {
      return;
    }
    h.append("<h2>Identity resolution</h2><table>\n");
    Map<String, Long> rows = new java.util.LinkedHashMap<>();
    rows.put("records", u.records());
    rows.put("attributed_records", u.attributedRecords());
    rows.put("unattributed_records", u.unattributedRecords());
    rows.put("erased_records", u.erasedRecords());
    rows.put("customers", u.customers());
    rows.put("new_customers", u.newCustomers());
    rows.put("merged", u.merged());
    rows.put("split", u.split());
    rows.put("newly_erased", u.newlyErased());
    rows.put("events", u.events());
    rows.forEach((name, value) -> h.append("<tr><th class=\"l\">").append(name.replace('_', ' ')).append("</th>")
        .append(cell("/identity/" + name, count(value))).append("</tr>\n"));
    h.append("</table>\n");
  }

  private static String svgOpen(String chart, int width, int height, String label) {
    return String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" data-chart=\"%s\" width=\"%d\" "
        + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", esc(chart), width, height, width,
        height, esc(label));
  }

  private static String cell(String field, String value) {
    return "<td data-field=\"" + field + "\">" + value + "</td>";
  }

  static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  static String num(double value, int decimals) {
    return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  static String esc(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
