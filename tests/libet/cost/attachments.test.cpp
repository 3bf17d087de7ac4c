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
  CAF_CHECK_EQUAL(pages("%PDF-1.7\n<</Type /Page"), 1u); // a key that ends the data
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
  // No page object in sight: a page per 16 KiB of base64, at least one.
  CAF_CHECK_EQUAL(pages("%PDF-1.7 compressed"), 1u);
  CAF_CHECK_EQUAL(pages(std::string(100'000, 'c')), 9u); // 133,336 bytes of base64
  // Object streams hide page objects: one in sight does not make a big PDF one page.
  CAF_CHECK_EQUAL(pages(std::string(100'000, 'c') + "<</Type /ObjStm /N 90>> /Type /Page "), 9u);
  CAF_CHECK_EQUAL(pages(std::string(100'000, 'c') + "/Type /Page "), 1u); // all in sight
  // A linearized PDF says how many it has, but saying fewer counts for nothing.
  CAF_CHECK_EQUAL(pages("%PDF-1.7\n1 0 obj <</Linearized 1 /L 9000 /N 42 /T 800>>"), 42u);
  CAF_CHECK_EQUAL(pages("%PDF-1.7\n<</Linearized 1 /N 1>> /Type /Page /Type /Page"), 2u);
  CAF_CHECK_EQUAL(pages("%PDF-1.7\n<</Linearized 1 /NameX 5>>"), 1u);
  // Not base64 (the gateway checks first): its size.
  CAF_CHECK_EQUAL(estimate_pdf_pages(std::string(40'000, '!')), 3u);
}

CAF_TEST(each attachment has its estimate) {
  CAF_CHECK_EQUAL(estimate_attachment_tokens(image{"image/png", "iVBORw0KGgo=", {}, {}, 0}),
                  image_token_estimate);
  image doc{std::string{pdf_media_type}, std::string(40'000, 'A'), {}, {}, 0};
  doc.pages = 7; // counted when the request was read
  CAF_CHECK_EQUAL(estimate_attachment_tokens(doc), 7 * pdf_page_token_estimate);
  doc.pages = 0; // not counted: its size, without reading it
  CAF_CHECK_EQUAL(estimate_attachment_tokens(doc), 3 * pdf_page_token_estimate);
  image link{std::string{pdf_media_type}, {}, "https://example.com/a.pdf", {}, 0};
  CAF_CHECK_EQUAL(estimate_attachment_tokens(link),
                  static_cast<int64_t>(unseen_link_pages) * pdf_page_token_estimate);
}
