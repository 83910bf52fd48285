using System.Net.Http.Headers;
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
