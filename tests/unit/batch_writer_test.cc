#include "core/batch_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

namespace vigil {
namespace {

// One item that can never be committed (it fails whatever it is batched with) must fail alone:
// its neighbours in the same batch, and every later batch, are committed.
TEST(BatchWriterTest, OneItemThatAlwaysFailsFailsAloneAndTheWriterGoesOn) {
  std::vector<int> committed;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  BatchWriter<int> writer(64, [&](std::span<const int> items) -> Status {
    released.wait();  // hold the first commit so the rest queue into one batch
    for (int i : items) {
      if (i == 13) return Status::InvalidArgument("item 13 is poison");
    }
    committed.insert(committed.end(), items.begin(), items.end());
    return Status::Ok();
  });
  std::vector<std::promise<Status>> outcomes(40);
  for (int i = 0; i < 40; ++i) {
    writer.Submit(i, [&outcomes, i](const Status& s) { outcomes[i].set_value(s); });
  }
  release.set_value();
  for (int i = 0; i < 40; ++i) {
    const Status s = outcomes[i].get_future().get();
    EXPECT_EQ(s.ok(), i != 13) << i << ": " << s.ToString();
  }
  writer.Stop();
  EXPECT_EQ(committed.size(), 39u);
}

}  // namespace
}  // namespace vigil
