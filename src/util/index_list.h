#pragma once
// Index lists given on the command line ("3,6,9,19"): --stimuli, --test-stimuli, --units.

#include <string>
#include <vector>

namespace statenet {

// "3,6,9,19" → {3, 6, 9, 19}; throws std::invalid_argument naming `option` on a bad item.
// Only the syntax is checked here: each index is range-checked where it is used.
std::vector<int> parse_index_list(const std::string& text, const std::string& option);

}  // namespace statenet
