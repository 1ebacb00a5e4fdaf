#include "util/index_list.h"

#include <sstream>
#include <stdexcept>

namespace statenet {

std::vector<int> parse_index_list(const std::string& text, const std::string& option) {
  std::vector<int> v;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      std::size_t used = 0;
      v.push_back(std::stoi(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw std::invalid_argument(option + ": '" + item + "' is not an index (expected e.g. 3,6,9,19)");
    }
  }
  return v;
}

}  // namespace statenet
