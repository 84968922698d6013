//===- TimelineSvg.cpp - a Timeline as a picture --------------------------===//
//
// Like neuron-profile's view: a row per engine and DMA queue, instructions as
// bars coloured by kind; with more instructions than pixels, each pixel
// column shows the kind busiest there, lighter when the queue was busy only
// part of it.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Trace.h"

#include "llvm/Support/Format.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <string>
#include <vector>

using namespace nki_run;

namespace {
/// What a bar shows: an instruction kind, with its colour. DMAs are drawn
/// by direction (load, store, spill traffic), every other opcode as its
/// InstructionSet.def legend entry, in that file's order.
struct Kind {
  const char *name, *colour;
};
constexpr Kind kDmaKinds[] = {{"DMA load", "#4c78a8"},
                              {"DMA store", "#54a24b"},
                              {"spill/reload", "#e45756"}};
constexpr int kNumDmaKinds = 3;

/// The legend, and the first kind of each opcode.
struct Kinds {
  std::vector<Kind> all;
  std::array<int, nisa::kNumOpcodes> first{};
  Kinds() {
    for (int o = 0; o < nisa::kNumOpcodes; ++o) {
      const nisa::OpcodeInfo &info = nisa::getOpcodeInfo(nisa::Opcode(o));
      first[size_t(o)] = int(all.size());
      if (info.shape == nisa::OperandShape::Transfer)
        all.insert(all.end(), std::begin(kDmaKinds), std::end(kDmaKinds));
      else
        all.push_back({info.legend, info.colour});
    }
  }
  int of(const nisa::Instruction &in) const {
    int k = first[size_t(in.opcode)];
    if (nisa::getOpcodeInfo(in.opcode).shape != nisa::OperandShape::Transfer)
      return k;
    switch (nisa::dmaKind(in)) {
    case nisa::DmaKind::load:
      return k;
    case nisa::DmaKind::store:
      return k + 1;
    case nisa::DmaKind::spillSave:
    case nisa::DmaKind::spillReload:
      return k + 2;
    }
    return k;
  }
};
static_assert(std::size(kDmaKinds) == kNumDmaKinds, "three DMA kinds");

/// A row's title: the engine and its queue ("ScalarE (act)"), or the DMA
/// queue.
std::string queueTitle(nisa::Queue q) {
  llvm::StringRef engine = nisa::engineName(q);
  if (engine.empty())
    return nisa::stringify(q).str();
  return (engine + " (" + nisa::stringify(q) + ")").str();
}

/// The picture's geometry, and the busy time per (queue, pixel column,
/// kind) over the window.
class Picture {
public:
  Picture(const nisa::Program &program, const Timeline &t, double fromUs,
          double toUs);
  void write(llvm::raw_ostream &os) const;

private:
  static constexpr int width = 1400, left = 150, right = 20, top = 50,
                       rowHeight = 26, rowGap = 6;
  static constexpr int plotWidth = width - left - right;

  const double *busy(int q, int c) const {
    return busyTimes.data() +
           (size_t(q) * size_t(plotWidth) + size_t(c)) * kinds.all.size();
  }
  double *busy(int q, int c) {
    return busyTimes.data() +
           (size_t(q) * size_t(plotWidth) + size_t(c)) * kinds.all.size();
  }
  void add(size_t id, const nisa::Instruction &in, double s0, double s1);
  /// Runs of pixel columns with the same dominant kind and shade, each
  /// with a tooltip; then a marker where the queue waited on a semaphore.
  void writeRow(llvm::raw_ostream &os, int q, int y) const;
  /// An instruction as a tooltip says it: id, queue, opcode or DMA kind,
  /// source, loop context, duration and what it waited on.
  std::string describe(size_t id) const;
  /// Per queue and pixel column: the instruction busy there longest, the
  /// instructions there, and the longest semaphore stall ending there.
  struct Column {
    double longest = 0;
    int64_t id = -1, first = -1, last = -1, count = 0;
    double stall = 0;
    int64_t stalled = -1;
  };
  Column &column(int q, int c) {
    return columns[size_t(q) * size_t(plotWidth) + size_t(c)];
  }
  const Column &column(int q, int c) const {
    return columns[size_t(q) * size_t(plotWidth) + size_t(c)];
  }
  void writeAxisAndLegend(llvm::raw_ostream &os, int axisY) const;

  const nisa::Program &program;
  const Timeline &t;
  Kinds kinds;
  std::vector<Column> columns;
  int64_t inWindow = 0;
  double from, to, scale; // ns, ns, px per ns
  std::vector<double> busyTimes;
  std::array<int64_t, nisa::kNumQueues> count{};
  std::vector<int> rows; // the queues with instructions in the window
};
} // namespace

Picture::Picture(const nisa::Program &program, const Timeline &t, double fromUs,
                 double toUs)
    : program(program), t(t) {
  double end = 0;
  for (double e : t.end)
    end = std::max(end, e);
  from = std::max(0.0, fromUs * 1000.0);
  to = toUs > 0 ? toUs * 1000.0 : end;
  if (to <= from)
    to = from + 1;
  scale = plotWidth / (to - from);
  busyTimes.assign(
      size_t(nisa::kNumQueues) * size_t(plotWidth) * kinds.all.size(), 0.0);
  columns.assign(size_t(nisa::kNumQueues) * size_t(plotWidth), Column());
  // Every queue of the stream has its row, in a window as in the full
  // view (a zoomed picture lines up with the whole one).
  for (size_t i = 0; i < program.instructions.size(); ++i)
    ++count[size_t(program.instructions.queue(i))];
  for (int q = 0; q < nisa::kNumQueues; ++q)
    if (count[size_t(q)])
      rows.push_back(q);
  for (size_t i = 0; i < program.instructions.size(); ++i) {
    double s0 = std::max(t.start[i], from), s1 = std::min(t.end[i], to);
    if (s1 > s0 || (t.start[i] >= from && t.start[i] < to)) {
      ++inWindow;
      add(i, program.instructions[i], s0, std::max(s0, s1));
    }
  }
}

void Picture::add(size_t id, const nisa::Instruction &in, double s0,
                  double s1) {
  int q = int(in.queue);
  int k = kinds.of(in);
  int c0 = int((s0 - from) * scale), c1 = int((s1 - from) * scale);
  for (int c = std::max(c0, 0); c <= std::min(c1, plotWidth - 1); ++c) {
    double p0 = from + c / scale, p1 = from + (c + 1) / scale;
    double overlap = std::min(p1, s1) - std::max(p0, s0);
    if (overlap <= 0)
      continue;
    busy(q, c)[k] += overlap;
    Column &col = column(q, c);
    if (overlap > col.longest) {
      col.longest = overlap;
      col.id = int64_t(id);
    }
    if (col.first < 0)
      col.first = int64_t(id);
    col.last = int64_t(id);
    ++col.count;
  }
  // A semaphore wait that held it: a marker where it started.
  if (t.stallOn[id] >= 0 && t.stallOn[id] < Timeline::kPortStall &&
      t.start[id] >= from && t.start[id] < to) {
    int c = std::min(plotWidth - 1, int((t.start[id] - from) * scale));
    Column &col = column(q, c);
    if (t.stall[id] > col.stall) {
      col.stall = t.stall[id];
      col.stalled = int64_t(id);
    }
  }
}

/// Text for an SVG element: &, < and > escaped.
static std::string xmlText(llvm::StringRef s) {
  std::string out;
  for (char c : s)
    out += c == '&'   ? "&amp;"
           : c == '<' ? "&lt;"
           : c == '>' ? "&gt;"
                      : std::string(1, c);
  return out;
}

std::string Picture::describe(size_t id) const {
  nisa::Instruction in = program.instructions[id];
  std::string text;
  llvm::raw_string_ostream os(text);
  os << id << " " << nisa::stringify(in.queue) << " " << nisa::activityName(in);
  if (in.loc)
    os << " " << program.locations[in.loc];
  if (in.ctx && in.ctx < program.contexts.size())
    os << " [" << program.contexts.describe(in.ctx) << "]";
  os << llvm::format(", %.3f us from %.3f", (t.end[id] - t.start[id]) / 1000.0,
                     t.start[id] / 1000.0);
  if (t.stallOn[id] >= 0)
    os << llvm::format(", waited %.3f us on ", t.stall[id] / 1000.0)
       << Timeline::stallName(t.stallOn[id]);
  return xmlText(text);
}

void Picture::write(llvm::raw_ostream &os) const {
  int height = top + int(rows.size()) * (rowHeight + rowGap) + 130;
  os << llvm::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                     "height=\"%d\" font-family=\"sans-serif\" "
                     "font-size=\"12\">\n",
                     width, height);
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << llvm::format("<text x=\"%d\" y=\"24\" font-size=\"16\">NeuronCore "
                     "timeline (%s model): %.1f to %.1f us, %lld of the "
                     "stream's %zu instructions in this window</text>\n",
                     left, nisa::stringify(program.target).str().c_str(),
                     from / 1000.0, to / 1000.0, (long long)inWindow,
                     program.instructions.size());
  for (size_t r = 0; r < rows.size(); ++r)
    writeRow(os, rows[r], top + int(r) * (rowHeight + rowGap));
  writeAxisAndLegend(os, top + int(rows.size()) * (rowHeight + rowGap) + 4);
  os << "</svg>\n";
}

void Picture::writeRow(llvm::raw_ostream &os, int q, int y) const {
  os << llvm::format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s"
                     "</text>\n",
                     left - 8, y + rowHeight / 2 + 4,
                     queueTitle(nisa::Queue(q)).c_str());
  os << llvm::format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                     "fill=\"#f4f4f4\"/>\n",
                     left, y, plotWidth, rowHeight);
  int runStart = -1, runKind = -1, runShade = -1;
  auto flush = [&](int c) {
    if (runStart < 0 || runKind < 0)
      return;
    os << llvm::format("<rect x=\"%d\" y=\"%d\" width=\"%d\" "
                       "height=\"%d\" fill=\"%s\" "
                       "fill-opacity=\"%.2f\">",
                       left + runStart, y, c - runStart, rowHeight,
                       kinds.all[size_t(runKind)].colour, runShade / 10.0);
    // The tooltip: the instruction busy longest over the bar, and the
    // range of instructions it covers.
    int64_t first = -1, last = -1, best = -1;
    double longest = 0;
    for (int k = runStart; k < c; ++k) {
      const Column &col = column(q, k);
      if (col.id < 0)
        continue;
      if (first < 0 || col.first < first)
        first = col.first;
      last = std::max(last, col.last);
      if (col.longest > longest) {
        longest = col.longest;
        best = col.id;
      }
    }
    os << "<title>";
    if (best >= 0) {
      if (first != last)
        os << "instructions " << first << " to " << last << "; longest: ";
      os << describe(size_t(best));
    }
    os << "</title></rect>\n";
  };
  double pixelNs = 1.0 / scale;
  for (int c = 0; c < plotWidth; ++c) {
    const double *b = busy(q, c);
    int kind = -1;
    double total = 0, best = 0;
    for (int k = 0; k < int(kinds.all.size()); ++k) {
      total += b[k];
      if (b[k] > best) {
        best = b[k];
        kind = k;
      }
    }
    int shade =
        kind < 0
            ? -1
            : std::max(2,
                       int(std::lround(10 * std::min(1.0, total / pixelNs))));
    if (kind != runKind || shade != runShade) {
      flush(c);
      runStart = c;
      runKind = kind;
      runShade = shade;
    }
  }
  flush(plotWidth);
  // Where the queue waited on a semaphore: a dark tick above the row at
  // the waiting instruction's start (the longest wait in its pixel).
  for (int c = 0; c < plotWidth; ++c) {
    const Column &col = column(q, c);
    if (col.stalled < 0)
      continue;
    os << llvm::format("<rect x=\"%d\" y=\"%d\" width=\"2\" height=\"5\" "
                       "fill=\"#222\"><title>wait: ",
                       left + c, y - 5)
       << describe(size_t(col.stalled)) << "</title></rect>\n";
  }
}

void Picture::writeAxisAndLegend(llvm::raw_ostream &os, int axisY) const {
  os << llvm::format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                     "stroke=\"black\"/>\n",
                     left, axisY, left + plotWidth, axisY);
  double spanUs = (to - from) / 1000.0;
  double step = std::pow(10.0, std::floor(std::log10(spanUs / 5)));
  if (spanUs / step > 10)
    step *= spanUs / step > 20 ? 5 : 2;
  for (double v = std::ceil(from / 1000.0 / step) * step; v <= to / 1000.0;
       v += step) {
    int x = left + int((v * 1000.0 - from) * scale);
    os << llvm::format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                       "stroke=\"black\"/><text x=\"%d\" y=\"%d\" "
                       "text-anchor=\"middle\">%g</text>\n",
                       x, axisY, x, axisY + 5, x, axisY + 18, v);
  }
  os << llvm::format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time "
                     "(us)</text>\n",
                     left + plotWidth / 2, axisY + 36);
  int ly = axisY + 56, lx = left;
  for (const Kind &k : kinds.all) {
    os << llvm::format("<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
                       "fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
                       lx, ly, k.colour, lx + 18, ly + 12, k.name);
    lx += 118;
  }
  os << llvm::format("<text x=\"%d\" y=\"%d\" fill=\"#555\">Each pixel "
                     "column shows the kind busiest there; lighter = the "
                     "queue was busy part of that time.</text>\n",
                     left, ly + 36);
  os << llvm::format("<rect x=\"%d\" y=\"%d\" width=\"2\" height=\"5\" "
                     "fill=\"#222\"/><text x=\"%d\" y=\"%d\" "
                     "fill=\"#555\">A tick above a row: the queue waited on "
                     "a semaphore there. Hover a bar or a tick for its "
                     "instruction, loop context and wait.</text>\n",
                     left, ly + 48, left + 8, ly + 54);
}

void nki_run::writeTimelineSvg(const nisa::Program &program, const Timeline &t,
                               double fromUs, double toUs,
                               llvm::raw_ostream &os) {
  Picture(program, t, fromUs, toUs).write(os);
}
