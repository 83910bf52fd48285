using System.Text.Json;
using HeadlessLoan.Domain.Cards;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>POST /cv/ocr/bankcard with the shipped sample images.</summary>
public sealed class BankCardOcrTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private async Task<JsonElement> OcrAsync(string query, HttpContent? content = null)
    {
        using var body = content ?? new ByteArrayContent([]);
        using var response = await sandbox.Client.PostAsync(new Uri($"/cv/ocr/bankcard{query}", UriKind.Relative), body);
        return await WeChatJson.ReadAsync(response);
    }

    private Task<JsonElement> UploadAsync(string sample) => OcrAsync("?access_token=sandbox_any", Samples.Upload(sample));

    private static void AssertNumber(JsonElement reply, string number)
    {
        WeChatJson.AssertOk(reply);
        Assert.Equal(number, WeChatJson.String(reply, "number"));
        Assert.Equal(number, WeChatJson.String(reply, "id"));
    }

    [Fact]
    public async Task Valid_card_sample_returns_a_19_digit_luhn_valid_unionpay_number_as_number_and_id()
    {
        var reply = await UploadAsync("card-valid");

        AssertNumber(reply, "6222020200112345679");
        Assert.Null(BankCardNumber.Check("6222020200112345679"));
        Assert.StartsWith("622202", "6222020200112345679", StringComparison.Ordinal);
        Assert.Equal(19, "6222020200112345679".Length);
    }

    [Theory]
    [InlineData("0", "6222020300000000004")]
    [InlineData("42", "6222020300000000426")]
    [InlineData("500", "6222020300000005003")]
    [InlineData("999999", "6222020300009999990")]
    public async Task Numbered_card_returns_that_applicants_19_digit_luhn_valid_icbc_number(string number, string card)
    {
        var reply = await OcrAsync("?access_token=sandbox_any", Samples.Upload(Samples.Numbered("card-valid", number)));

        AssertNumber(reply, card);
        Assert.Null(BankCardNumber.Check(card));
        Assert.StartsWith("622202", card, StringComparison.Ordinal);
        Assert.Equal(19, card.Length);
    }

    [Fact]
    public async Task Numbered_cards_are_distinct_and_none_is_the_sample_card()
    {
        var cards = new List<string>();
        foreach (var number in new[] { 1, 2, 3, 10, 11, 99_999, 100_000, 999_998 })
        {
            cards.Add(WeChatJson.String(await OcrAsync("?access_token=sandbox_any", Samples.Upload(Samples.Numbered("card-valid", $"{number}"))), "number"));
        }

        Assert.Equal(cards.Count, cards.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain("6222020200112345679", cards);
        Assert.All(cards, card => Assert.Null(BankCardNumber.Check(card)));
    }

    [Fact]
    public async Task A_numbered_id_front_is_not_a_bank_card()
    {
        var reply = await OcrAsync("?access_token=sandbox_any", Samples.Upload([.. Samples.UnmarkedPng(), .. "hl-sandbox:id-front-valid:42"u8]));

        WeChatJson.AssertError(reply, 101001, "no bank card recognised");
    }

    [Fact]
    public async Task Luhn_fail_sample_returns_a_number_failing_luhn()
    {
        var reply = await UploadAsync("card-luhn-fail");

        AssertNumber(reply, "6222020200112345670");
        Assert.Equal(CardErrorCodes.LuhnInvalid, BankCardNumber.Check("6222020200112345670"));
    }

    [Theory]
    [InlineData("card-valid", "6222020200112345679")]
    [InlineData("card-luhn-fail", "6222020200112345670")]
    public async Task Img_url_ending_in_a_sample_file_name_answers_like_that_sample(string sample, string number)
    {
        var reply = await OcrAsync($"?img_url={Uri.EscapeDataString($"https://cdn.example.com/{sample}.png")}&access_token=sandbox_any");

        AssertNumber(reply, number);
    }

    [Fact]
    public async Task Img_url_that_is_not_http_returns_101000()
    {
        var reply = await OcrAsync($"?img_url=card-valid.png&access_token=sandbox_any");

        WeChatJson.AssertError(reply, 101000, "invalid image url");
    }

    [Theory]
    [InlineData("unreadable")]
    [InlineData("id-front-valid")]
    public async Task Unreadable_or_id_card_sample_returns_101001(string sample)
    {
        WeChatJson.AssertError(await UploadAsync(sample), 101001, "no bank card recognised");
    }

    [Fact]
    public async Task Image_without_a_marker_returns_101001()
    {
        var reply = await OcrAsync("?access_token=sandbox_any", Samples.Upload(Samples.UnmarkedPng()));

        WeChatJson.AssertError(reply, 101001, "no bank card recognised");
    }

    [Fact]
    public async Task Body_over_2_MB_returns_101002()
    {
        var image = new byte[(2 * 1024 * 1024) + 1];
        Samples.Read("card-valid").CopyTo(image, 0);

        WeChatJson.AssertError(await OcrAsync("?access_token=sandbox_any", Samples.Upload(image)), 101002, "image too large");
    }

    [Theory]
    [InlineData("")]
    [InlineData("?access_token=")]
    public async Task Missing_access_token_returns_41001(string query)
    {
        WeChatJson.AssertError(await OcrAsync(query, Samples.Upload("card-valid")), 41001, "access_token missing");
    }

    [Theory]
    [InlineData("ocr-busy", -1, "system error")]
    [InlineData("ocr-quota", 101003, "not enough market quota")]
    public async Task Error_marker_in_any_image_returns_its_errcode(string marker, int errCode, string messageStart)
    {
        var reply = await OcrAsync("?access_token=sandbox_any", Samples.Upload(Samples.WithMarker(marker), "my-scan.png"));

        WeChatJson.AssertError(reply, errCode, messageStart);
    }

    [Theory]
    [InlineData("ocr-busy", -1, "system error")]
    [InlineData("ocr-quota", 101003, "not enough market quota")]
    public async Task Img_url_ending_in_an_error_marker_returns_its_errcode(string marker, int errCode, string messageStart)
    {
        var reply = await OcrAsync($"?img_url={Uri.EscapeDataString($"https://cdn.example.com/kyc/{marker}.png")}&access_token=sandbox_any");

        WeChatJson.AssertError(reply, errCode, messageStart);
    }

    [Theory]
    [InlineData("sandbox_invalid_token", 40001, "invalid credential")]
    [InlineData("sandbox_expired_token", 42001, "access_token expired")]
    public async Task Rejected_access_token_returns_its_errcode_before_the_image_is_read(string token, int errCode, string messageStart)
    {
        var reply = await OcrAsync($"?access_token={token}", Samples.Upload("card-valid"));

        WeChatJson.AssertError(reply, errCode, messageStart);
    }
}
