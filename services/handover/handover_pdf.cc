#include "services/handover/handover_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace olif::handover {
namespace {

// A4 in points, and the page's margins.
constexpr double kWidth = 595.28;
constexpr double kHeight = 841.89;
constexpr double kMargin = 56;
constexpr double kHeaderSpace = 34;  // header line and the gap under it
constexpr double kFooterSpace = 30;
constexpr double kLabelWidth = 150;
constexpr double kGap = 6;
constexpr double kTop = kMargin + kHeaderSpace;
constexpr double kBottom = kHeight - kMargin - kFooterSpace;
constexpr char kFont[] = "DejaVu Sans";

struct CairoDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  void operator()(cairo_t* c) const { cairo_destroy(c); }
  void operator()(PangoLayout* l) const { g_object_unref(l); }
  void operator()(PangoFontDescription* f) const { pango_font_description_free(f); }
};
template <typename T>
using Owned = std::unique_ptr<T, CairoDeleter>;

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// One piece of text placed on a page.
struct Piece {
  std::string text;
  double x = 0;
  double width = 0;
  double size = 10;
  bool bold = false;
};

// A block that stays on one page: a title, or one labelled row.
struct Block {
  std::vector<Piece> pieces;  // drawn side by side at the same top
  double space_before = 0;
  bool keep_with_next = false;  // a section title stays with its first row
  double height = 0;            // measured
  int page = 0;                 // assigned
  double top = 0;               // assigned
};

class Renderer {
 public:
  explicit Renderer(cairo_t* cr) : cr_(cr), layout_(pango_cairo_create_layout(cr)) {}

  // Sets the layout to `p` and returns its height in points.
  double Prepare(const Piece& p) {
    Owned<PangoFontDescription> font(pango_font_description_from_string(kFont));
    pango_font_description_set_absolute_size(font.get(), p.size * PANGO_SCALE);
    pango_font_description_set_weight(font.get(), p.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout_.get(), font.get());
    pango_layout_set_width(layout_.get(), static_cast<int>(p.width * PANGO_SCALE));
    pango_layout_set_wrap(layout_.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout_.get(), p.text.data(), static_cast<int>(p.text.size()));
    int w = 0;
    int h = 0;
    pango_layout_get_size(layout_.get(), &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  void Draw(const Piece& p, double top) {
    Prepare(p);
    cairo_move_to(cr_, p.x, top);
    pango_cairo_show_layout(cr_, layout_.get());
  }

 private:
  cairo_t* cr_;
  Owned<PangoLayout> layout_;
};

// A value cut into pieces short enough that each fits on a page, at line or
// word ends (a form's longest text, 4000 characters, takes three).
std::vector<std::string> Chunks(const std::string& text) {
  constexpr size_t kMaxChunk = 1400;
  std::vector<std::string> out;
  size_t start = 0;
  while (text.size() - start > kMaxChunk) {
    size_t cut = text.rfind('\n', start + kMaxChunk);
    if (cut == std::string::npos || cut <= start) cut = text.rfind(' ', start + kMaxChunk);
    if (cut == std::string::npos || cut <= start) {
      cut = start + kMaxChunk;
      while (cut > start && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
    }
    out.push_back(text.substr(start, cut - start));
    start = cut;
    while (start < text.size() && (text[start] == ' ' || text[start] == '\n')) ++start;
  }
  out.push_back(text.substr(start));
  return out;
}

std::vector<Block> BlocksOf(const PdfHeader& header, const std::vector<Section>& sections) {
  const double full = kWidth - 2 * kMargin;
  std::vector<Block> blocks;
  blocks.push_back(
      {{{"Overdrachtsformulier kinderopvang – basisschool", kMargin, full, 16, true}}});
  blocks.push_back({{{header.child_name, kMargin, full, 13, true}}, 4});
  blocks.push_back({{{header.subtitle, kMargin, full, 9, false}}, 2});
  for (const Section& s : sections) {
    blocks.push_back({{{s.title, kMargin, full, 12, true}}, 14, true});
    for (const Row& r : s.rows) {
      bool first = true;
      for (std::string& chunk : Chunks(r.value)) {
        blocks.push_back(
            {{{first ? r.label : "", kMargin, kLabelWidth - kGap, 10, true},
              {std::move(chunk), kMargin + kLabelWidth, full - kLabelWidth, 10, false}},
             first ? kGap : 0});
        first = false;
      }
    }
  }
  return blocks;
}

}  // namespace

absl::StatusOr<std::string> RenderPdf(const PdfHeader& header,
                                      const std::vector<Section>& sections) {
  std::string pdf;
  Owned<cairo_surface_t> surface(
      cairo_pdf_surface_create_for_stream(&Append, &pdf, kWidth, kHeight));
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                 absl::StrCat("Overdrachtsformulier ", header.child_name).c_str());
  Owned<cairo_t> cr(cairo_create(surface.get()));
  Renderer renderer(cr.get());

  // Pass 1: measure every block and give it a page, so each page can say how
  // many there are.
  std::vector<Block> blocks = BlocksOf(header, sections);
  int page = 0;
  double y = kTop;
  for (Block& b : blocks) {
    for (const Piece& p : b.pieces) b.height = std::max(b.height, renderer.Prepare(p));
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    Block& b = blocks[i];
    double needed = b.space_before + b.height;
    if (b.keep_with_next && i + 1 < blocks.size()) {
      needed += blocks[i + 1].space_before + blocks[i + 1].height;
    }
    if (y + needed > kBottom && y > kTop) {
      ++page;
      y = kTop;
    } else {
      y += b.space_before;
    }
    b.page = page;
    b.top = y;
    y += b.height;
  }
  const int pages = page + 1;

  // Pass 2: draw, with the header and footer on every page.
  const double full = kWidth - 2 * kMargin;
  size_t next = 0;
  for (int p = 0; p < pages; ++p) {
    cairo_set_source_rgb(cr.get(), 0.35, 0.0, 0.0);
    renderer.Draw({absl::StrCat("Vertrouwelijk — ", header.child_name), kMargin, full, 9, true},
                  kMargin);
    cairo_set_source_rgb(cr.get(), 0.3, 0.3, 0.3);
    renderer.Draw({absl::StrCat("Pagina ", p + 1, " van ", pages), kMargin, full, 9, false},
                  kHeight - kMargin - 12);
    cairo_set_source_rgb(cr.get(), 0, 0, 0);
    for (; next < blocks.size() && blocks[next].page == p; ++next) {
      for (const Piece& piece : blocks[next].pieces) renderer.Draw(piece, blocks[next].top);
    }
    cairo_show_page(cr.get());
  }
  cr.reset();
  cairo_surface_finish(surface.get());
  if (cairo_status_t s = cairo_surface_status(surface.get()); s != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(absl::StrCat("PDF rendering failed: ", cairo_status_to_string(s)));
  }
  return pdf;
}

}  // namespace olif::handover
