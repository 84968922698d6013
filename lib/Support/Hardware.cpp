//===- Hardware.cpp - NeuronCore targets by name --------------------------===//

#include "mamba-nki/Support/Hardware.h"

#include <iterator>

using namespace mamba_hw;

static constexpr const char *kTargetNames[] = {"trn1", "trn2"};
static_assert(std::size(kTargetNames) == kNumTargets, "a name per Target");
static_assert(int(Target::trn2) + 1 == kNumTargets, "kNumTargets counts them");

llvm::StringRef mamba_hw::targetName(Target target) {
  return kTargetNames[int(target)];
}

std::optional<Target> mamba_hw::parseTarget(llvm::StringRef name) {
  for (int t = 0; t < kNumTargets; ++t)
    if (name == kTargetNames[t])
      return Target(t);
  return std::nullopt;
}

std::string mamba_hw::targetChoices() {
  std::string text;
  for (int t = 0; t < kNumTargets; ++t)
    text += std::string(t == 0                 ? ""
                        : t + 1 == kNumTargets ? " or "
                                               : ", ") +
            kTargetNames[t];
  return text;
}
