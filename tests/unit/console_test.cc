#include <gtest/gtest.h>

#include "console/console_http.h"
#include "console/html.h"
#include "console/pages.h"
#include "console/svg_chart.h"

namespace vigil::console {
namespace {

TEST(HtmlTest, ValuesAreEscapedMarkupIsNot) {
  EXPECT_EQ(Escape(R"(<script>alert("x")</script> & 'y')"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
  Html h;
  h << "<td>";
  h.Text("\"onload=alert(1)").Int(-7).Fixed(36.55, 1).UrlPart("p 1/../x");
  h << "</td>";
  EXPECT_EQ(h.str(), "<td>&quot;onload=alert(1)-736.5p%201%2F..%2Fx</td>");
  EXPECT_EQ(Html().Time(1'800'000'000'123).str(),
            "<time datetime=\"2027-01-15T08:00:00.123Z\">2027-01-15T08:00:00.123Z</time>");
}

TEST(HtmlTest, BrokenUtf8AndControlsCannotBreakThePage) {
  EXPECT_EQ(Escape("caf\xC3\xA9"), "caf\xC3\xA9");  // valid UTF-8 kept
  EXPECT_EQ(Escape("a\xFF"
                   "b"),
            "a\xEF\xBF\xBD"
            "b");  // invalid byte: U+FFFD
  EXPECT_EQ(Escape("\xE0\x80\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(Escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(Escape(std::string("x\0y\x1b[31m\tz\n", 11)), "xy[31m\tz\n");
}

TEST(ConsoleHttpTest, CookiesFormsAndCsrf) {
  EXPECT_EQ(CookieValue("a=1; vigil_session=tok; b=2", "vigil_session"), "tok");
  EXPECT_EQ(CookieValue("vigil_session_x=1; vigil_session=\"q\"", "vigil_session"), "q");
  EXPECT_FALSE(CookieValue("a=1", "vigil_session"));
  const std::string cookie = SetCookie(kSessionCookie, "tok", 60);
  for (const char* flag : {"Secure", "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=60"}) {
    EXPECT_NE(cookie.find(flag), std::string::npos) << flag;
  }
  auto form = ParseForm("csrf=ab&note=a+b%3C%2F&empty=&flag");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(FormValue(*form, "note"), "a b</");
  EXPECT_EQ(FormValue(*form, "flag"), "");
  EXPECT_FALSE(ParseForm("a=%zz").ok());
  const std::string csrf = CsrfToken("session-token");
  EXPECT_EQ(csrf.size(), 64u);
  EXPECT_TRUE(CsrfTokenMatches("session-token", csrf));
  EXPECT_FALSE(CsrfTokenMatches("another-session", csrf));
  EXPECT_FALSE(CsrfTokenMatches("session-token", ""));
  EXPECT_FALSE(CsrfTokenMatches("", CsrfToken("")));
}

TEST(SvgChartTest, DrawsSeriesMarksSuspectReadingsAndEscapesItsTitle) {
  ChartSeries hr{"Heart rate", {{1'000, 70}, {61'000, 75, true}, {121'000, 72}}};
  const std::string svg = LineChart("<b>HR</b>", "/min", {hr}).str();
  EXPECT_NE(svg.find("aria-label=\"&lt;b&gt;HR&lt;/b&gt;\""), std::string::npos);
  EXPECT_NE(svg.find("<polyline class=\"line\""), std::string::npos);
  EXPECT_EQ(svg.find("<circle"), svg.rfind("<circle"));  // one suspect reading, one mark
  EXPECT_NE(svg.find("<circle"), std::string::npos);
  EXPECT_TRUE(LineChart("empty", "/min", {ChartSeries{"x", {}}}).str().empty());
}

TEST(DashboardTest, SilentDevicesAndCertificatesEndingSoonAreCountedAndListed) {
  constexpr int64_t kNow = 1'800'000'000'000, kHour = 3'600'000, kDay = 24 * kHour;
  const auto device = [&](std::string id, int64_t enrolled_ms) {
    store::DeviceRecord d;
    d.id = std::move(id);
    d.type = "pulse-oximeter";
    d.enrolled_ms = enrolled_ms;
    return d;
  };
  std::vector<store::DeviceRecord> devices{
      device("quiet", kNow - kDay), device("never", kNow - kDay),
      device("just-enrolled", kNow - 60'000), device("busy", kNow - kDay),
      device("gone", kNow - kDay)};
  devices[4].status = store::DeviceStatus::kRevoked;  // a revoked device is neither
  const std::vector<store::DeviceActivity> activity{
      {"quiet", kNow - 2 * kHour, kNow + 400 * kDay},
      {"just-enrolled", 0, kNow + 10 * kDay},
      {"busy", kNow - 5'000, kNow - kDay},  // its certificate ended yesterday
      {"gone", 0, kNow}};
  const std::string html = DeviceHealthSection(devices, activity, kNow).str();
  EXPECT_NE(html.find("<span class=\"n\">2</span>silent for an hour"), std::string::npos) << html;
  EXPECT_NE(html.find("<span class=\"n\">2</span>certificates ending within 30 days"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"n\">1</span>certificate end not known"), std::string::npos);
  // The silent list: longest silent first ("never" before "quiet"); the ending list: soonest.
  EXPECT_LT(html.find("<td>never</td><td>pulse-oximeter</td><td>never"),
            html.find("<td>quiet</td>"));
  EXPECT_LT(html.find("<td>busy</td>"), html.find("<td>just-enrolled</td>"));
  EXPECT_EQ(html.find("gone"), std::string::npos);
}

}  // namespace
}  // namespace vigil::console
