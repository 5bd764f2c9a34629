#include "scenarios/format/expression.h"

#include <cctype>
#include <string>

namespace mmcheck::scenario_format {

namespace {

// Recursive descent over: sum := product ('+' product)*; product := atom ('*' atom)*;
// atom := integer | name.
class parser {
public:
    parser(std::string_view text, const constant_lookup& constants) : text_(text), constants_(constants) {}

    // nullopt with error() set when the text is not an expression.
    std::optional<std::uint64_t> parse() {
        auto value = sum();
        skip_space();
        if (value && pos_ != text_.size()) return fail("unexpected '" + std::string(text_.substr(pos_, 1)) + "'");
        return value;
    }
    const std::string& error() const { return error_; }

private:
    std::optional<std::uint64_t> sum() {
        auto value = product();
        while (value && take('+')) {
            auto rhs = product();
            if (!rhs) return std::nullopt;
            *value += *rhs;
        }
        return value;
    }
    std::optional<std::uint64_t> product() {
        auto value = atom();
        while (value && take('*')) {
            auto rhs = atom();
            if (!rhs) return std::nullopt;
            *value *= *rhs;
        }
        return value;
    }
    std::optional<std::uint64_t> atom() {
        skip_space();
        const std::size_t start = pos_;
        while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
        const std::string word(text_.substr(start, pos_ - start));
        if (word.empty()) return fail("expected a number or a constant name");
        if (std::isdigit(static_cast<unsigned char>(word[0]))) {
            try {
                std::size_t used = 0;
                const std::uint64_t v = std::stoull(word, &used, 0);
                if (used == word.size()) return v;
            } catch (const std::exception&) {
            }
            return fail("'" + word + "' is not a number");
        }
        if (auto v = constants_(word)) return v;
        return fail("unknown constant '" + word + "'; scenarios/README.md lists the constants");
    }
    bool take(char c) {
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == c) return ++pos_, true;
        return false;
    }
    void skip_space() {
        while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    }
    std::optional<std::uint64_t> fail(std::string message) {
        if (error_.empty()) error_ = std::move(message);
        return std::nullopt;
    }

    std::string_view text_;
    const constant_lookup& constants_;
    std::size_t pos_ = 0;
    std::string error_;
};

}  // namespace

std::uint64_t evaluate(const scenario_definition& def, const located_scalar& number, const constant_lookup& constants) {
    if (const auto* i = std::get_if<std::int64_t>(&number.value)) {
        if (*i < 0) def.fail(number.line, "a negative number where an address or a size is expected");
        return static_cast<std::uint64_t>(*i);
    }
    const auto* text = std::get_if<std::string>(&number.value);
    if (text == nullptr) def.fail(number.line, "a boolean where a number is expected");
    parser p(*text, constants);
    const auto value = p.parse();
    if (!value) def.fail(number.line, "in \"" + *text + "\": " + p.error());
    return *value;
}

}  // namespace mmcheck::scenario_format
