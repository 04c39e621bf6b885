#pragma once
// Cooperative cancellation: a caller (a GUI, a Python KeyboardInterrupt, a scheduler's
// preemption notice) sets the token from any thread; the library checks it between sweep
// batches, stages and work items and then throws flowfit::Cancelled. With the quotient method a
// stage's matrix is unchanged when it is cancelled (factors are applied only at the end), and no
// output is half-written (outputs are written atomically).
#include <atomic>
#include <string>

#include "flowfit/error.hpp"

namespace flowfit {

class CancelToken {
 public:
  void cancel() noexcept { flag_.store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept { return flag_.load(std::memory_order_relaxed); }
  // Throws Cancelled naming `where` when the token is set.
  void throw_if_cancelled(const std::string& where) const {
    if (cancelled()) throw Cancelled("cancelled " + where);
  }

 private:
  std::atomic<bool> flag_{false};
};

// Checks an optional token (nullptr: never cancelled).
inline void throw_if_cancelled(const CancelToken* token, const std::string& where) {
  if (token != nullptr) token->throw_if_cancelled(where);
}

}  // namespace flowfit
