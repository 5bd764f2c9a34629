// Run results as JUnit XML (the Ant/Jenkins schema most CI systems read): one
// testsuite per scenario, one testcase per variant, a <failure> for every outcome
// that is not the declared one, with the text report as its body.
#pragma once

#include <ostream>

#include "reports/outcome.h"

namespace mmcheck {

void write_junit_report(std::ostream& out, const outcome_list& outcomes);

}  // namespace mmcheck
