// Outputs are replaced only when they are regular files: a symlink, a device, a directory or a
// pipe at the output path is refused by name and left as it was (a rename over /dev/stdout
// once turned it into a regular file; over a symlink, the link was replaced, not its target).
// A regular file is replaced whole; an uncommitted write leaves no temporary behind.

#include "util/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_support.h"

namespace statenet {
namespace {

void expect_refused(const std::string& path, const std::string& what) {
  try {
    write_file_atomically(path, "new\n");
    ADD_FAILURE() << path << " (" << what << ") was replaced";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": is " + what), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp-" + std::to_string(::getpid()))) << "a temporary was left";
}

TEST(AtomicFile, symlinksDevicesDirectoriesAndPipesAreRefusedAndLeftAsTheyWere) {
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/target") << "old\n";
  std::filesystem::create_symlink(dir + "/target", dir + "/link");
  expect_refused(dir + "/link", "a symbolic link");
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/link"));
  EXPECT_EQ(test::read_file(dir + "/target"), "old\n");

  std::filesystem::create_directory(dir + "/folder");
  expect_refused(dir + "/folder", "a directory");
  EXPECT_TRUE(std::filesystem::is_directory(dir + "/folder"));

  ASSERT_EQ(::mkfifo((dir + "/fifo").c_str(), 0600), 0);
  expect_refused(dir + "/fifo", "a pipe");
  EXPECT_TRUE(std::filesystem::is_fifo(dir + "/fifo"));

  // /dev/null stands for every device (/dev/stdout is a symlink to one): a rename over it
  // needs no permission test here, because the refusal comes first.
  try {
    AtomicFile out("/dev/null");
    ADD_FAILURE() << "/dev/null was accepted as an output";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/null: is a device"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
}

TEST(AtomicFile, aRegularFileIsReplacedWholeAndAnUncommittedWriteLeavesNothing) {
  const std::string dir = test::temp_dir(), path = dir + "/out.txt";
  std::ofstream(path) << "old contents, longer than the new\n";
  write_file_atomically(path, "new\n");
  EXPECT_EQ(test::read_file(path), "new\n");
  {
    AtomicFile out(path);
    std::ofstream(out.temp_path()) << "half";
  }  // not committed
  EXPECT_EQ(test::read_file(path), "new\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
}

}  // namespace
}  // namespace statenet
