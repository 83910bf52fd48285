using System.Text;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>The sample images integrators upload: small real PNGs, each carrying its marker.</summary>
public sealed class SampleFileTests
{
    private static readonly string[] Names =
    [
        "id-front-valid", "id-front-checksum-wrong", "id-front-name-mismatch", "id-front-blacklisted",
        "id-front-low-score", "id-front-bureau-timeout", "id-front-overdue", "id-back-valid", "id-back-expired",
        "card-valid", "card-luhn-fail", "unreadable",
    ];

    public static TheoryData<string> SampleNames() => new(Names);

    [Fact]
    public void Exactly_the_documented_samples_are_shipped()
    {
        var shipped = Directory.GetFiles(Samples.Directory).Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal);

        Assert.Equal(Names.Order(StringComparer.Ordinal), shipped);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Sample_is_a_png_under_20_KB_with_its_marker_in_a_text_chunk(string name)
    {
        var bytes = Samples.Read(name);

        Assert.InRange(bytes.Length, 100, 20 * 1024);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
        Assert.Contains("tEXtComment\0hl-sandbox:" + name, Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
    }
}
