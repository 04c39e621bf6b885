// AtomicFile and the writers built on it: an error never leaves a partial or temporary file.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>
#include "support/io_fixtures.hpp"

#include <csignal>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/io/atomic_file.hpp"
#include "flowfit/io/csv_writer.hpp"
#include "flowfit/io/ffm.hpp"
#include "flowfit/io/matrix_io.hpp"

namespace flowfit::io {
namespace {

using testing::expect_same_matrix;
using testing::slurp;
using testing::small_io_matrix;
using testing::temp_file;

namespace fs = std::filesystem;

class IoAtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("flowfit_io_atomic_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Every file in the test directory (temporary files are hidden dot-files).
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path dir_;
};

CsrMatrix small_matrix() {
  CsrMatrix m;
  m.n_rows = 2;
  m.n_cols = 2;
  m.row_ptr = {0, 1, 2};
  m.col_idx = {1, 0};
  m.values = {3.5, 4};
  return m;
}

TEST_F(IoAtomicFile, CommitPublishesTheBytes) {
  const fs::path target = dir_ / "out.txt";
  {
    AtomicFile f(target);
    EXPECT_EQ(f.temp_path().parent_path(), dir_);
    EXPECT_EQ(f.temp_path().filename().string(), ".out.txt.tmp." + std::to_string(::getpid()));
    f.write("hello ");
    f.write(std::string(3 << 20, 'x'));  // larger than the buffer
    f.write("!");
    EXPECT_FALSE(fs::exists(target));  // nothing visible before commit
    f.commit();
    EXPECT_EQ(f.bytes_written(), 6u + (3u << 20) + 1u);
  }
  const std::string text = slurp(target);
  EXPECT_EQ(text.size(), 6u + (3u << 20) + 1u);
  EXPECT_EQ(text.substr(0, 7), "hello x");
  EXPECT_EQ(listing(), std::vector<std::string>{"out.txt"});
}

TEST_F(IoAtomicFile, NoCommitLeavesNothing) {
  {
    AtomicFile f(dir_ / "out.txt");
    f.write("partial");
  }
  EXPECT_TRUE(listing().empty());
}

TEST_F(IoAtomicFile, FailedRewriteKeepsTheOldFile) {
  const fs::path target = dir_ / "keep.txt";
  { std::ofstream(target) << "old contents"; }
  try {
    AtomicFile f(target);
    f.write("new, but the writer fails half way");
    throw std::runtime_error("simulated failure");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(slurp(target), "old contents");
  EXPECT_EQ(listing(), std::vector<std::string>{"keep.txt"});
}

TEST_F(IoAtomicFile, TwoWritersOfOneTargetDoNotCollide) {
  AtomicFile a(dir_ / "same.txt");
  AtomicFile b(dir_ / "same.txt");
  EXPECT_NE(a.temp_path(), b.temp_path());
  a.write("a");
  b.write("b");
  a.commit();
  b.commit();
  EXPECT_EQ(slurp(dir_ / "same.txt"), "b");
  EXPECT_EQ(listing(), std::vector<std::string>{"same.txt"});
}

TEST_F(IoAtomicFile, MissingDirectoryIsAnErrorNamingThePath) {
  const fs::path target = dir_ / "no" / "such" / "dir" / "out.txt";
  try {
    AtomicFile f(target);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
  }
}

TEST_F(IoAtomicFile, MoveTransfersOwnership) {
  AtomicFile a(dir_ / "moved.txt");
  a.write("moved");
  AtomicFile b(std::move(a));
  b.commit();
  EXPECT_EQ(slurp(dir_ / "moved.txt"), "moved");
}

TEST_F(IoAtomicFile, FailingMatrixWritesLeaveNoFile) {
  CsrMatrix bad = small_matrix();
  bad.col_idx[1] = 7;  // out of range: validate() rejects it
  for (const char* name : {"m.mtx", "m.npz", "m.ffm", "m.csv", "m.tsv"}) {
    Geography geo(std::vector<std::string>{"01", "02"});
    MatrixWriteOptions options;
    options.row_geography = &geo;
    EXPECT_THROW(write_matrix(dir_ / name, bad, options), Error) << name;
  }
  // Geography of the wrong size: detected before any byte is written.
  Geography three(std::vector<std::string>{"01", "02", "03"});
  MatrixWriteOptions options;
  options.row_geography = &three;
  EXPECT_THROW(write_matrix(dir_ / "g.csv", small_matrix(), options), Error);
  EXPECT_TRUE(listing().empty());
}

// A file-size limit makes write(2) fail half way (EFBIG), as a full disk would.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &old_);
    rlimit lim = old_;
    lim.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit old_{};
  void (*old_handler_)(int);
};

TEST_F(IoAtomicFile, WriteErrorHalfWayLeavesNoFile) {
  // 200,000 entries: several MB in every format, far over the 64 KiB limit.
  CsrMatrix m;
  m.n_rows = 1000;
  m.n_cols = 1000;
  m.row_ptr = {0};
  for (int r = 0; r < 1000; ++r) {
    for (int c = 0; c < 200; ++c) {
      m.col_idx.push_back(c * 5);
      m.values.push_back(1.0 / (r + c + 3));
    }
    m.row_ptr.push_back(static_cast<int64_t>(m.col_idx.size()));
  }
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back("g" + std::to_string(i));
  Geography geo(ids);
  MatrixWriteOptions options;
  options.row_geography = &geo;
  options.compressed = false;
  {
    FileSizeLimit limit(64 * 1024);
    for (const char* name : {"m.mtx", "m.ffm", "m.csv", "m.npz"}) {
      try {
        write_matrix(dir_ / name, m, options);
        ADD_FAILURE() << name << ": write should fail";
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
      }
    }
  }
  EXPECT_TRUE(listing().empty()) << listing().front();
  // Without the limit the same writes succeed.
  write_matrix(dir_ / "m.ffm", m, options);
  EXPECT_EQ(listing(), std::vector<std::string>{"m.ffm"});
}

TEST_F(IoAtomicFile, FailingMatrixRewriteKeepsTheOldMatrix) {
  const fs::path target = dir_ / "m.npz";
  write_matrix(target, small_matrix());
  const std::string before = slurp(target);
  CsrMatrix bad = small_matrix();
  bad.row_ptr.back() = 5;
  EXPECT_THROW(write_matrix(target, bad), Error);
  EXPECT_EQ(slurp(target), before);
  EXPECT_EQ(listing(), std::vector<std::string>{"m.npz"});
}

TEST_F(IoAtomicFile, CsvWriterRejectsARaggedRowAndLeavesNoFile) {
  const fs::path target = dir_ / "t.csv";
  EXPECT_THROW(
      {
        CsvWriter w(target, {"a", "b"});
        w.field("1").field(2.5);
        w.end_row();
        w.field("only one");
        w.end_row();  // throws: one field short
        w.commit();
      },
      Error);
  EXPECT_THROW(
      {
        CsvWriter w(target, {"a"});
        w.field("1").field("2");  // throws: too many
      },
      Error);
  EXPECT_TRUE(listing().empty());
}

}  // namespace
}  // namespace flowfit::io
