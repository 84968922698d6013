//===- Stats.cpp - .nisa instruction counts, peaks and traffic ------------===//

#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/Support/Format.h"

using namespace nisa;

Stats nisa::computeStats(const Program &p) {
  Stats s;
  s.instructions = int64_t(p.instructions.size());
  for (const Instruction &in : p.instructions) {
    ++s.perQueue[int(in.queue)];
    s.waits += int64_t(in.waits.size());
    if (in.opcode != Opcode::dma)
      continue;
    int64_t bytes = dmaBytes(in);
    switch (dmaKind(in)) {
    case DmaKind::spillSave:
      s.spillSaveBytes += bytes;
      break;
    case DmaKind::spillReload:
      s.spillReloadBytes += bytes;
      break;
    case DmaKind::load:
    case DmaKind::store:
      s.dmaBytes += bytes;
      break;
    }
  }
  return s;
}

void nisa::printStats(const Program &p, llvm::raw_ostream &os) {
  Stats s = computeStats(p);
  os << "target: " << stringify(p.target) << "\n";
  os << "instructions: " << s.instructions << " (semaphore waits: " << s.waits
     << ")\n";
  for (int q = 0; q < kNumQueues; ++q)
    os << llvm::format("  %-18s %lld\n",
                       stringify(static_cast<Queue>(q)).str().c_str(),
                       (long long)s.perQueue[q]);
  int64_t sbuf = sbufPartitionBytes(p.target);
  os << llvm::format("sbuf peak: %lld bytes per partition (%.1f%% of %lld)\n",
                     (long long)p.sbufPeakBytes,
                     100.0 * double(p.sbufPeakBytes) / double(sbuf),
                     (long long)sbuf);
  os << llvm::format("psum peak: %lld bytes per partition (%.1f%% of %lld)\n",
                     (long long)p.psumPeakBytes,
                     100.0 * double(p.psumPeakBytes) /
                         double(kPsumPartitionBytes),
                     (long long)kPsumPartitionBytes);
  os << "dma bytes (kernel i/o): " << s.dmaBytes << "\n";
  os << "spill save bytes: " << s.spillSaveBytes << "\n";
  os << "spill reload bytes: " << s.spillReloadBytes << "\n";
  os << "scratch bytes: " << p.scratchBytes << "\n";
}
