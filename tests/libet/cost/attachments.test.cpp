#define CAF_SUITE libet.cost.attachments
#include "caf/test/unit_test.hpp"

// Token estimates of attachments: an image's flat estimate, a PDF's pages from its page objects
// (across the pieces it is decoded in), its linearization or its size where pages may be out of
// sight, and what a document read without its pages is estimated at.

#include <string>

#include "et/cost/attachments.hpp"
#include "et/util/encode.hpp"

using namespace et;
using namespace et::cost;

namespace {

// The pages a PDF of `bytes` is estimated to have.
std::size_t pages(const std::string& bytes) {
  return estimate_pdf_pages(base64(bytes));
}

} // namespace

CAF_TEST(page objects are counted and the page tree is not ) {
  CAF_CHECK_EQUAL(pages("%PDF-1.7\n1 0 obj <</Type /Pages /Count 3>>\n"
                        "2 0 obj <</Type /Page>>\n3 0 obj <</Type/Page/Parent 1 0 R>>\n"
                        "4 0 obj <</Type \r\n  /Page\n>>\n5 0 obj <</Type /PageLabel>>\n%%EOF"),
                  3u);
  CAF_CHECK_EQUAL(pages("%PDF-1.7\n<</Type /Page>> <</Type /Page"), 2u); // one ends the data
  CAF_CHECK_EQUAL(pages(std::string(40'000, 'x') + "/Type /Page /Type /Page"), 2u);
}

CAF_TEST(a page object across two decoded pieces is counted once) {
  // Pieces are 64 KiB of base64, 48 KiB of bytes: put a key at every offset around the seam.
  constexpr std::size_t seam = 48 << 10;
  const std::string key = "<</Type  /Page>>";
  for (std::size_t start = seam - key.size() - 2; start <= seam + 2; ++start) {
    std::string pdf(start, 'x');
    pdf += key + std::string(100, 'y');
    for (int i = 0; i < 10; ++i) // ten pages, so that size (4 pages) is not what is counted
      pdf += key;
    CAF_CHECK_EQUAL(pages(pdf), 11u);
  }
}

CAF_TEST(where pages may be out of sight their size counts) {
  // No page object in sight: a page per 6 KiB of base64, at least one.
  CAF_CHECK_EQUAL(pages("%PDF-1.7 compressed"), 1u);
  const std::string big(100'000, 'c'); // 133,336 bytes of base64: 22 pages by size
  CAF_CHECK_EQUAL(pages(big), 22u);
  // Object streams hide page objects: one in sight does not make a big PDF one page.
  CAF_CHECK_EQUAL(pages(big + "<</Type /ObjStm /N 90>> /Type /Page "), 22u);
  CAF_CHECK_EQUAL(pages(big + "/Type /Page "), 1u); // no object streams: all are in sight
  // But no more pages than the objects the PDF says it has (every page is one).
  CAF_CHECK_EQUAL(pages(big + "<</Type /ObjStm>> <</Type /XRef /Size 5>>"), 5u);
  CAF_CHECK_EQUAL(pages(big + "<</Type /ObjStm>> /Size 500 /Size 7"), 22u); // the most of them
  CAF_CHECK_EQUAL(pages(big + "<</Type /ObjStm>> /SizeX 5"), 22u);          // another name
  // A linearized PDF says how many it has, but saying fewer counts for nothing.
  CAF_CHECK_EQUAL(pages("%PDF-1.7\n1 0 obj <</Linearized 1 /L 9000 /N 42 /T 800>>"), 42u);
  CAF_CHECK_EQUAL(pages("%PDF-1.7\n<</Linearized 1 /N 1>> /Type /Page /Type /Page"), 2u);
  CAF_CHECK_EQUAL(pages("%PDF-1.7\n<</Linearized 1 /NameX 5 /N 3>>"), 3u);
  // Not base64 (the gateway checks first): its size.
  CAF_CHECK_EQUAL(estimate_pdf_pages(std::string(40'000, '!')), 7u);
}

CAF_TEST(the pieces a PDF is decoded in do not change its count) {
  std::string linearized = "%PDF-1.7\n<</Linearized 1 /L 9 /N 40>>" + std::string(3000, 'q');
  std::string spread = "<</Type /Pages>>";
  for (int i = 0; i < 40; ++i)
    spread += "<</Type   /Page>>" + std::string(static_cast<std::size_t>(i * 7), ' ');
  std::string hidden = std::string(50'000, 'h') + "<</Type /ObjStm>> trailer <</Size   123>>";
  for (const auto& pdf : {linearized, spread, hidden}) {
    auto data = base64(pdf);
    auto whole = estimate_pdf_pages(data);
    for (std::size_t piece : {4u, 8u, 12u, 40u, 100u, 4096u})
      CAF_CHECK_EQUAL(estimate_pdf_pages(data, piece), whole);
  }
  CAF_CHECK_EQUAL(estimate_pdf_pages(base64(linearized)), 40u);
  CAF_CHECK_EQUAL(estimate_pdf_pages(base64(spread)), 40u);
  CAF_CHECK_EQUAL(estimate_pdf_pages(base64(hidden)), 11u); // 66,724 bytes of base64, 123 objects
}

CAF_TEST(numbers a client writes are bounded) {
  // A linearized count past a million pages is a million pages; a /Size of more than ten
  // digits is read as its first ten, and caps nothing a size estimate would give.
  CAF_CHECK_EQUAL(pages("%PDF-1.7\n<</Linearized 1 /N 99999999999999999999>>"), 1u << 20);
  CAF_CHECK_EQUAL(pages(std::string(100'000, 'c') + "<</Type /ObjStm>> /Size 123456789012345678"),
                  22u);
}

CAF_TEST(the shared base64 decoder reads what base64 wrote) {
  for (std::size_t n = 0; n < 12; ++n) {
    std::string bytes;
    for (std::size_t k = 0; k < n; ++k)
      bytes.push_back(static_cast<char>(0xf0 + k));
    std::string out;
    CAF_CHECK(base64_decode_into(base64(bytes), out));
    CAF_CHECK_EQUAL(out, bytes);
  }
  std::string out;
  CAF_CHECK(!base64_decode_into("QUJD!", out)); // a stray character
  // Whole base64, as base64() writes it: what the decoder alone would let pass is not.
  for (std::size_t n = 1; n < 6; ++n)
    CAF_CHECK(well_formed_base64(base64(std::string(n, 'x'))));
  for (std::string_view bad : {"", "QUJ", "QU=D", "QQ==QUJD", "Q===", "QUJD!AAA"})
    CAF_CHECK(!well_formed_base64(bad));
}

CAF_TEST(each attachment has its estimate) {
  CAF_CHECK_EQUAL(estimate_attachment_tokens(image{"image/png", "iVBORw0KGgo=", {}, {}, 0}),
                  image_token_estimate);
  image doc{std::string{pdf_media_type}, std::string(40'000, 'A'), {}, {}, 0};
  doc.pages = 7; // counted when the request was read
  CAF_CHECK_EQUAL(estimate_attachment_tokens(doc), 7 * pdf_page_token_estimate);
  doc.pages = 0; // not counted: its size, without reading it
  CAF_CHECK_EQUAL(estimate_attachment_tokens(doc), 7 * pdf_page_token_estimate);
  image link{std::string{pdf_media_type}, {}, "https://example.com/a.pdf", {}, 0};
  CAF_CHECK_EQUAL(estimate_attachment_tokens(link),
                  static_cast<int64_t>(unseen_link_pages) * pdf_page_token_estimate);
}
