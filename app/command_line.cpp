#include "app/command_line.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace rtpof::app {

CommandLine::CommandLine(const std::vector<std::string>& args, const std::set<std::string>& value_flags,
                         const std::set<std::string>& switch_flags) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    // "-p 104" is a common slip for --port: a single-dash word is an unknown option, not a folder
    // named "-p" (a negative number stays a positional).
    const bool single_dash_word = arg.size() > 1 && arg[0] == '-' && arg[1] != '-' &&
                                  !std::isdigit(static_cast<unsigned char>(arg[1])) && arg[1] != '.';
    if (single_dash_word) throw UsageError("unknown option " + arg + " (options are spelled --name; see --help)");
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positionals_.push_back(arg);
      continue;
    }
    std::string name = arg;
    std::optional<std::string> inline_value;
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    if (switch_flags.count(name) != 0) {
      if (inline_value) throw UsageError(name + " takes no value");
      values_[name].push_back("");
    } else if (value_flags.count(name) != 0) {
      if (inline_value) {
        values_[name].push_back(*inline_value);
      } else {
        if (i + 1 >= args.size()) throw UsageError(name + " needs a value");
        values_[name].push_back(args[++i]);
      }
    } else {
      throw UsageError("unknown option " + name);
    }
  }
}

std::optional<std::string> CommandLine::value(const std::string& flag) const {
  const auto it = values_.find(flag);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> CommandLine::values(const std::string& flag) const {
  const auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

long CommandLine::integer(const std::string& flag, long min, long max, long fallback) const {
  const auto text = value(flag);
  if (!text) return fallback;
  char* end = nullptr;
  const long v = std::strtol(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || v < min || v > max)
    throw UsageError(flag + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", not \"" + *text + "\"");
  return v;
}

double CommandLine::number(const std::string& flag, double min, double max, double fallback) const {
  const auto text = value(flag);
  if (!text) return fallback;
  char* end = nullptr;
  const double v = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || !std::isfinite(v) || v < min || v > max)
    throw UsageError(flag + " must be a number from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", not \"" + *text + "\"");
  return v;
}

}  // namespace rtpof::app
