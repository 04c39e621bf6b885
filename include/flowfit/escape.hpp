#pragma once
// Terminal-safe echoes of input text in error messages. Input bytes can hold terminal control
// sequences (ESC, OSC), NUL bytes that cut C strings, invalid UTF-8, or megabytes of text; none of
// that may reach the user's terminal or log as is.
#include <cstddef>
#include <string>
#include <string_view>

namespace flowfit {

// Longest echo, in output characters, before the text is cut.
inline constexpr std::size_t kEchoMaxChars = 80;

// `text` with control characters (C0, DEL, C1) written as \xNN / \u00NN, a backslash as \\ and
// every byte of an invalid UTF-8 sequence as \xNN; valid UTF-8 passes through. Cut after about
// `max_chars` characters, followed by "... (N bytes)" with the original length.
std::string escape_for_message(std::string_view text, std::size_t max_chars = kEchoMaxChars);

// escape_for_message() in single quotes, e.g. 'abc\x1b[2J'.
std::string quote_for_message(std::string_view text, std::size_t max_chars = kEchoMaxChars);

// A safety net for whole messages (InputError, ConfigError): control characters and invalid
// UTF-8 escaped as above, but backslashes kept and newlines/tabs kept, so that a message that
// already holds escaped echoes is not escaped twice. Cut at `max_bytes`.
std::string sanitize_message(std::string_view message, std::size_t max_bytes = 4096);

}  // namespace flowfit
