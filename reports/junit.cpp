#include "reports/junit.h"

#include <iomanip>
#include <map>
#include <sstream>

#include "reports/text.h"

namespace mmcheck {

namespace {

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string seconds(double s) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(3) << s;
    return out.str();
}

void write_case(std::ostream& out, const variant_outcome& o) {
    const run_result& r = o.result;
    out << "    <testcase classname=\"mmcheck." << xml_escape(o.scenario->name) << "\" name=\""
        << xml_escape(o.variant->name) << "\" time=\"" << seconds(r.seconds) << "\">\n";
    std::ostringstream report;
    write_text_report(report, o.options, *o.scenario, *o.variant, r);
    if (!as_expected(*o.variant, r)) {
        const std::string got = r.outcome == verdict::incomplete ? "incomplete"
                                : r.violation                    ? std::string(violation_name(r.violation->kind))
                                                                 : "pass";
        out << "      <failure type=\"" << xml_escape(got) << "\" message=\"expected "
            << xml_escape(o.variant->expected.name()) << ", got " << xml_escape(got) << "\">"
            << xml_escape(report.str()) << "</failure>\n";
    } else {
        out << "      <system-out>" << xml_escape(report.str()) << "</system-out>\n";
    }
    out << "    </testcase>\n";
}

}  // namespace

void write_junit_report(std::ostream& out, const outcome_list& outcomes) {
    std::map<std::string, std::vector<const variant_outcome*>> by_scenario;
    int failures = 0;
    double total = 0;
    for (const variant_outcome& o : outcomes) {
        by_scenario[o.scenario->name].push_back(&o);
        failures += as_expected(*o.variant, o.result) ? 0 : 1;
        total += o.result.seconds;
    }
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<testsuites name=\"mmcheck\" tests=\"" << outcomes.size() << "\" failures=\"" << failures << "\" time=\""
        << seconds(total) << "\">\n";
    for (const auto& [name, cases] : by_scenario) {
        int suite_failures = 0;
        double suite_time = 0;
        for (const variant_outcome* o : cases) {
            suite_failures += as_expected(*o->variant, o->result) ? 0 : 1;
            suite_time += o->result.seconds;
        }
        out << "  <testsuite name=\"" << xml_escape(name) << "\" tests=\"" << cases.size() << "\" failures=\""
            << suite_failures << "\" errors=\"0\" time=\"" << seconds(suite_time) << "\">\n";
        for (const variant_outcome* o : cases) write_case(out, *o);
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

}  // namespace mmcheck
