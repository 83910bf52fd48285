using System.Security.Cryptography;
using System.Text.Json;
using HeadlessLoan.Api.Features.Applications;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Api.Integrations.WeChat;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Tests.Applications;

/// <summary>The intake rules without HTTP: BIN table, image signatures, ID-back validity, the byte envelope, cursors.</summary>
public sealed class IntakeRulesTests
{
    private static readonly CardBins Bins = CardBins.Load(Path.Combine(AppContext.BaseDirectory, "Features", "Applications", "data", "card-bins.json"));

    [Theory]
    [InlineData("6222020200112345679", "ICBC")]
    [InlineData("6217000010001234567", "CCB")]
    [InlineData("6228480010001234567", "ABC")]
    [InlineData("6216610010001234567", "BOC")]
    [InlineData("6222620010001234567", "BOCOM")]
    [InlineData("6225880010001234567", "CMB")]
    [InlineData("6299990010001234567", "UnionPay")]
    [InlineData("4111111111111111", null)]
    public void TheIssuingBankComesFromTheBinTable(string number, string? bank) => Assert.Equal(bank, Bins.BankOf(number));

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "image/png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xDB }, "image/jpeg")]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 }, null)]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, null)]
    [InlineData(new byte[] { }, null)]
    public void ImageTypesAreJudgedByTheirFirstBytes(byte[] head, string? type) => Assert.Equal(type, ImageSignatures.Detect(head));

    [Theory]
    [InlineData("20200105-20400105", null, "2040-01-05")]
    [InlineData("20060105-20260302", null, "2026-03-02")] // expires today: still valid today
    [InlineData("20060105-20260301", "id_expired", null)]
    [InlineData("20060105-长期", null, null)]
    [InlineData("2006-0105", "id_valid_date_invalid", null)]
    [InlineData("", "id_valid_date_invalid", null)]
    public void TheIdBackIsValidUntilItsEndDate(string validDate, string? code, string? until)
    {
        var verdict = DocumentChecks.IdBack(Back(validDate), new DateOnly(2026, 3, 2));

        Assert.Equal(code is null ? [] : [code], verdict.ErrorCodes);
        Assert.Equal(until is null ? null : DateOnly.Parse(until, System.Globalization.CultureInfo.InvariantCulture), verdict.ValidUntil);
    }

    [Fact]
    public void EveryBrokenRuleOfAnIdFrontIsReported()
    {
        var front = JsonSerializer.Deserialize<CVOCRIdCardResponse>("""{"errcode":0,"type":"Front","name":"李四","id":"110101199003070011"}""")!;

        var verdict = DocumentChecks.IdFront(front, "张三", 18, 30, new DateOnly(2026, 3, 2));

        Assert.Equal(["age_out_of_range", "name_mismatch"], verdict.ErrorCodes);
        Assert.Null(verdict.Identity);
    }

    [Fact]
    public void TheBankCardNumberMayComeAsNumberOrId()
    {
        var asId = JsonSerializer.Deserialize<CVOCRBankCardResponse>("""{"errcode":0,"id":"6222 0202 0011 2345 679"}""")!;
        var asNumber = JsonSerializer.Deserialize<CVOCRBankCardResponse>("""{"errcode":0,"number":"6222020200112345679"}""")!;

        Assert.Equal("6222020200112345679", DocumentChecks.BankCard(asId, Bins).CardNumber);
        Assert.Equal("6222020200112345679", DocumentChecks.BankCard(asNumber, Bins).CardNumber);
    }

    [Fact]
    public void BinaryDataRoundTripsThroughTheEnvelopeWithItsKeyId()
    {
        var protector = new PersonalDataProtector(Options.Create(new PersonalDataOptions
        {
            CurrentKeyId = "k7",
            Keys = new() { ["k7"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
            HashKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }));
        var image = RandomNumberGenerator.GetBytes(5000);

        var blob = protector.EncryptBytes(image, PersonalDataPurpose.DocumentImage);

        Assert.Equal("k7", PersonalDataProtector.KeyIdOf(blob));
        Assert.Equal(image, protector.DecryptBytes(blob, PersonalDataPurpose.DocumentImage));
        Assert.ThrowsAny<CryptographicException>(() => protector.DecryptBytes(blob, PersonalDataPurpose.IdNumber));
    }

    private static CVOCRIdCardResponse Back(string validDate) =>
        JsonSerializer.Deserialize<CVOCRIdCardResponse>(JsonSerializer.Serialize(new { errcode = 0, type = "Back", valid_date = validDate }))!;
}
