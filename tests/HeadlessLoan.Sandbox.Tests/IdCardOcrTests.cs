using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HeadlessLoan.Domain.Identity;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>POST /cv/ocr/idcard with the shipped sample images.</summary>
public sealed class IdCardOcrTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private async Task<JsonElement> OcrAsync(string query, HttpContent? content = null)
    {
        using var body = content ?? new ByteArrayContent([]);
        using var response = await sandbox.Client.PostAsync(new Uri($"/cv/ocr/idcard{query}", UriKind.Relative), body);
        return await WeChatJson.ReadAsync(response);
    }

    private Task<JsonElement> UploadAsync(string sample) =>
        OcrAsync("?type=photo&access_token=sandbox_any", Samples.Upload(sample));

    private static void AssertFront(JsonElement reply, string name, string id, string addr)
    {
        WeChatJson.AssertOk(reply);
        Assert.Equal("Front", WeChatJson.String(reply, "type"));
        Assert.Equal(name, WeChatJson.String(reply, "name"));
        Assert.Equal(id, WeChatJson.String(reply, "id"));
        Assert.Equal(addr, WeChatJson.String(reply, "addr"));
        Assert.Equal("男", WeChatJson.String(reply, "gender"));
        Assert.Equal("汉", WeChatJson.String(reply, "nationality"));
    }

    [Theory]
    [InlineData("id-front-valid", "张三", "110101199003070011", "北京市东城区沙箱路1号")]
    [InlineData("id-front-name-mismatch", "李四", "110101198511120033", "北京市东城区沙箱路3号")]
    [InlineData("id-front-blacklisted", "张三", "110101198810240051", "北京市东城区沙箱路4号")]
    [InlineData("id-front-low-score", "张三", "110101199206150070", "北京市东城区沙箱路5号")]
    [InlineData("id-front-bureau-timeout", "张三", "110101199502280099", "北京市东城区沙箱路6号")]
    [InlineData("id-front-overdue", "张三", "110101198707190113", "北京市东城区沙箱路7号")]
    public async Task Front_sample_returns_a_valid_male_id_number(string sample, string name, string id, string addr)
    {
        var reply = await UploadAsync(sample);

        AssertFront(reply, name, id, addr);
        var check = ResidentIdNumber.Check(id, Today);
        Assert.Null(check.ErrorCode);
        Assert.True(check.Id!.IsMale);
        Assert.True(check.Id.AgeOn(Today) >= 18);
    }

    [Theory]
    [InlineData("0", "110101198001010010")]
    [InlineData("42", "110101198001010854")]
    [InlineData("000042", "110101198001010854")]
    [InlineData("499", "110101198001019998")]
    [InlineData("500", "110101198001020016")]
    [InlineData("999999", "110101198506229990")]
    public async Task Numbered_front_returns_that_applicants_valid_male_adult_id_number(string number, string id)
    {
        var reply = await OcrAsync("?type=photo&access_token=sandbox_any", Samples.Upload(Samples.Numbered("id-front-valid", number)));

        AssertFront(reply, "张三", id, "北京市东城区沙箱路1号");
        var check = ResidentIdNumber.Check(id, Today);
        Assert.Null(check.ErrorCode);
        Assert.True(check.Id!.IsMale);
        Assert.True(check.Id.AgeOn(Today) >= 18);
    }

    [Fact]
    public async Task Numbered_fronts_are_distinct_applicants_and_none_is_a_magic_bureau_number()
    {
        string[] samples = ["110101199003070011", "110101198511120033", "110101198810240051", "110101199206150070", "110101199502280099", "110101198707190113"];
        var ids = new List<string>();
        foreach (var number in new[] { 1, 2, 3, 498, 499, 500, 501, 1000, 123_456, 999_998 })
        {
            ids.Add(WeChatJson.String(await OcrAsync("?access_token=sandbox_any", Samples.Upload(Samples.Numbered("id-front-valid", $"{number}"))), "id"));
        }

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(ids.Intersect(samples, StringComparer.Ordinal));
        Assert.All(ids, id => Assert.Null(ResidentIdNumber.Check(id, Today).ErrorCode));
    }

    [Theory]
    [InlineData("1234567")]
    [InlineData("")]
    [InlineData("x42")]
    public async Task A_marker_without_1_to_6_digits_is_no_numbered_applicant_but_the_sample_it_names(string number)
    {
        var inCopy = await OcrAsync("?access_token=sandbox_any", Samples.Upload(Samples.Numbered("id-front-valid", number)));
        var alone = await OcrAsync("?access_token=sandbox_any", Samples.Upload([.. Samples.UnmarkedPng(), .. Encoding.ASCII.GetBytes("hl-sandbox:id-front-valid:" + number)]));

        Assert.Equal("110101199003070011", WeChatJson.String(inCopy, "id"));
        Assert.Equal("110101199003070011", WeChatJson.String(alone, "id"));
    }

    [Fact]
    public async Task A_numbered_marker_alone_in_any_image_is_enough()
    {
        var reply = await OcrAsync("?access_token=sandbox_any", Samples.Upload([.. Samples.UnmarkedPng(), .. "hl-sandbox:id-front-valid:42"u8], "my-scan.jpg"));

        Assert.Equal("110101198001010854", WeChatJson.String(reply, "id"));
    }

    [Fact]
    public async Task Checksum_wrong_sample_returns_an_id_whose_check_character_is_wrong()
    {
        var reply = await UploadAsync("id-front-checksum-wrong");

        AssertFront(reply, "张三", "110101199003070019", "北京市东城区沙箱路2号");
        Assert.Equal(IdErrorCodes.ChecksumInvalid, ResidentIdNumber.Check("110101199003070019", Today).ErrorCode);
    }

    [Theory]
    [InlineData("id-back-valid", "20200105-20400105")]
    [InlineData("id-back-expired", "20070105-20170105")]
    public async Task Back_sample_returns_its_validity_period(string sample, string validDate)
    {
        var reply = await UploadAsync(sample);

        WeChatJson.AssertOk(reply);
        Assert.Equal("Back", WeChatJson.String(reply, "type"));
        Assert.Equal(validDate, WeChatJson.String(reply, "valid_date"));
        Assert.False(reply.TryGetProperty("id", out _));
    }

    [Theory]
    [InlineData("id-front-valid", "110101199003070011")]
    [InlineData("id-front-name-mismatch", "110101198511120033")]
    public async Task Img_url_ending_in_a_sample_file_name_answers_like_that_sample(string sample, string id)
    {
        var url = Uri.EscapeDataString($"https://cdn.example.com/kyc/{sample}.png?v=1");

        var reply = await OcrAsync($"?type=photo&img_url={url}&access_token=sandbox_any");

        WeChatJson.AssertOk(reply);
        Assert.Equal(id, WeChatJson.String(reply, "id"));
    }

    [Fact]
    public async Task Img_url_of_a_back_sample_returns_the_back()
    {
        var reply = await OcrAsync($"?img_url={Uri.EscapeDataString("http://localhost/id-back-expired.png")}&access_token=sandbox_any");

        Assert.Equal("20070105-20170105", WeChatJson.String(reply, "valid_date"));
    }

    [Fact]
    public async Task Img_url_to_any_other_image_returns_101001()
    {
        var reply = await OcrAsync($"?img_url={Uri.EscapeDataString("https://cdn.example.com/selfie.png")}&access_token=sandbox_any");

        WeChatJson.AssertError(reply, 101001, "no id card recognised");
    }

    [Theory]
    [InlineData("not-a-url")]
    [InlineData("ftp://example.com/id-front-valid.png")]
    public async Task Img_url_that_is_not_http_returns_101000(string imgUrl)
    {
        var reply = await OcrAsync($"?img_url={Uri.EscapeDataString(imgUrl)}&access_token=sandbox_any");

        WeChatJson.AssertError(reply, 101000, "invalid image url");
    }

    [Fact]
    public async Task Unreadable_sample_returns_101001()
    {
        WeChatJson.AssertError(await UploadAsync("unreadable"), 101001, "no id card recognised");
    }

    [Fact]
    public async Task Image_without_a_marker_returns_101001()
    {
        var reply = await OcrAsync("?type=photo&access_token=sandbox_any", Samples.Upload(Samples.UnmarkedPng()));

        WeChatJson.AssertError(reply, 101001, "no id card recognised");
    }

    [Fact]
    public async Task Bank_card_sample_is_not_an_id_card()
    {
        WeChatJson.AssertError(await UploadAsync("card-valid"), 101001, "no id card recognised");
    }

    [Fact]
    public async Task Marker_is_matched_in_any_image_so_integrators_can_make_their_own()
    {
        var reply = await OcrAsync("?access_token=sandbox_any", Samples.Upload(Samples.WithMarker("id-back-valid"), "my-scan.jpg"));

        Assert.Equal("20200105-20400105", WeChatJson.String(reply, "valid_date"));
    }

    [Fact]
    public async Task Quoted_field_name_as_curl_and_other_sdks_send_it_is_read()
    {
        var file = new ByteArrayContent(Samples.Read("id-front-valid"));
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"img\"", FileName = "\"id.png\"" };
        var multipart = new MultipartFormDataContent { file };

        var reply = await OcrAsync("?type=photo&access_token=sandbox_any", multipart);

        Assert.Equal("110101199003070011", WeChatJson.String(reply, "id"));
    }

    [Fact]
    public async Task Image_in_a_field_other_than_img_is_not_read()
    {
        var reply = await OcrAsync("?access_token=sandbox_any", Samples.Upload(Samples.Read("id-front-valid"), "id.png", field: "image"));

        WeChatJson.AssertError(reply, 101001, "no id card recognised");
    }

    [Fact]
    public async Task Body_over_2_MB_returns_101002_even_with_a_marker()
    {
        var image = new byte[(2 * 1024 * 1024) + 1];
        Samples.Read("id-front-valid").CopyTo(image, 0);

        var reply = await OcrAsync("?type=photo&access_token=sandbox_any", Samples.Upload(image));

        WeChatJson.AssertError(reply, 101002, "image too large");
    }

    [Fact]
    public async Task Body_just_under_2_MB_is_still_read()
    {
        var image = new byte[(2 * 1024 * 1024) - 4096];
        Samples.Read("id-front-valid").CopyTo(image, 0);

        var reply = await OcrAsync("?type=photo&access_token=sandbox_any", Samples.Upload(image));

        Assert.Equal("110101199003070011", WeChatJson.String(reply, "id"));
    }

    [Theory]
    [InlineData("?type=photo")]
    [InlineData("?type=photo&access_token=")]
    public async Task Missing_access_token_returns_41001(string query)
    {
        WeChatJson.AssertError(await OcrAsync(query, Samples.Upload("id-front-valid")), 41001, "access_token missing");
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
        var reply = await OcrAsync($"?access_token={token}", Samples.Upload("id-front-valid"));

        WeChatJson.AssertError(reply, errCode, messageStart);
    }
}
