package io.audiencepipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencepipeline.io.Documents;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Level;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * report.html in a real headless browser (Debian's chromium, installed by scripts/install-test-tools): the
 * page loads without console errors, every chart renders (a screenshot of each has real content), and every
 * number the browser shows equals run.json's.
 */
class ReportBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir
  Path dir;

  @Test
  void thePageLoadsItsChartsRenderAndItShowsRunJsonsNumbers() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the browser test needs Debian's chromium and chromium-driver: run scripts/install-test-tools");
    RunSummary summary = ReportHtmlTest.summary();
    Files.writeString(dir.resolve(RunReport.JSON_FILE), Documents.JSON.writeValueAsString(summary));
    Path page = dir.resolve(RunReport.HTML_FILE);
    Files.writeString(page, ReportHtml.render(summary));
    JsonNode json = Documents.JSON.readTree(dir.resolve(RunReport.JSON_FILE).toFile());

    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
    // The flags this machine's closed network needs (no background connections), and a fresh profile.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,2000", "--user-data-dir=" + dir.resolve("profile"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    ChromeDriver browser = new ChromeDriver(service, options);
    try {
      browser.get(page.toUri().toString());
      assertEquals("Audience Pipeline run 2026-11-21", browser.getTitle());

      List<String> errors = new ArrayList<>();
      for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
        if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
          errors.add(entry.getMessage());
        }
      }
      assertEquals(List.of(), errors, "console errors or warnings");

      List<WebElement> charts = browser.findElements(By.cssSelector("svg[data-chart]"));
      assertEquals(5, charts.size());
      for (WebElement chart : charts) {
        String name = chart.getAttribute("data-chart");
        assertTrue(chart.getSize().getWidth() > 100 && chart.getSize().getHeight() > 60, name + " is too small");
        byte[] png = chart.getScreenshotAs(OutputType.BYTES);
        Files.write(dir.resolve(name + ".png"), png);
        assertTrue(colours(png) >= 3, name + " rendered without content");
      }
      Files.write(Path.of("target", "report-browser-test.png"), browser.getScreenshotAs(OutputType.BYTES));

      List<WebElement> fields = browser.findElements(By.cssSelector("[data-field]"));
      for (WebElement field : fields) {
        String pointer = field.getAttribute("data-field");
        JsonNode value = json.at(pointer);
        assertFalse(value.isMissingNode(), pointer + " is not in run.json");
        String shown = field.getText().replace(",", "");
        if (value.isNumber() && !value.isIntegralNumber()) {
          int decimals = shown.contains(".") ? shown.length() - shown.indexOf('.') - 1 : 0;
          assertEquals(String.format(Locale.ROOT, "%." + decimals + "f", value.asDouble()), shown, pointer);
        } else {
          assertEquals(value.asText(), shown, pointer);
        }
      }
      assertTrue(fields.size() >= 50, "numbers checked in the browser: " + fields.size());
    } finally {
      browser.quit();
    }
  }

  /** How many distinct colours the picture has (a blank or single-colour box has one or two). */
  private static int colours(byte[] png) throws Exception {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        seen.add(image.getRGB(x, y));
      }
    }
    return seen.size();
  }
}
