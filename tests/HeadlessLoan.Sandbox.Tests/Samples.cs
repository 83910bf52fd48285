using System.Net.Http.Headers;
using System.Text;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>The OCR sample images shipped with the sandbox, and the multipart uploads WeChat expects.</summary>
public static class Samples
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "samples");

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory, name + ".png"));

    /// <summary>A multipart body with the image in the field <c>img</c>, as the WeChat OCR APIs take it.</summary>
    public static MultipartFormDataContent Upload(byte[] image, string fileName = "photo.png", string field = "img")
    {
        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, field, fileName } };
    }

    public static MultipartFormDataContent Upload(string sample) => Upload(Read(sample), sample + ".png");

    /// <summary>A valid PNG (1x1, grey) without any sandbox marker.</summary>
    public static byte[] UnmarkedPng() => Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==");

    /// <summary>
    /// A copy of <paramref name="sample"/> with a numbered marker appended (<c>hl-sandbox:id-front-valid:42</c>), as
    /// docs/sandbox.md tells integrators to make a numbered applicant's images; it still carries the sample's own marker.
    /// </summary>
    public static byte[] Numbered(string sample, string number) => [.. Read(sample), .. Encoding.ASCII.GetBytes($"hl-sandbox:{sample}:{number}")];

    /// <summary>An unmarked image with a marker for another sample appended, to prove matching looks at the bytes.</summary>
    public static byte[] WithMarker(string sample) => [.. UnmarkedPng(), .. Encoding.ASCII.GetBytes("hl-sandbox:" + sample)];
}
