using System.Security.Cryptography;
using System.Text;
using HeadlessLoan.Api.Platform.Privacy;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Tests.Privacy;

public sealed class PersonalDataProtectorTests
{
    private static readonly string HashKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string OldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static PersonalDataProtector Protector(string current, params (string Id, string Key)[] keys) =>
        new(Options.Create(new PersonalDataOptions
        {
            CurrentKeyId = current,
            Keys = keys.ToDictionary(k => k.Id, k => k.Key),
            HashKey = HashKey,
        }));

    [Fact]
    public void RoundTripsAndNeverStoresTheClearText()
    {
        var protector = Protector("k1", ("k1", OldKey));

        var blob = protector.Encrypt("11010519491231002X", PersonalDataPurpose.IdNumber);

        Assert.DoesNotContain("11010519491231002X", Encoding.UTF8.GetString(blob), StringComparison.Ordinal);
        Assert.Equal("11010519491231002X", protector.Decrypt(blob, PersonalDataPurpose.IdNumber));
    }

    [Fact]
    public void SameValueEncryptsDifferentlyEachTime()
    {
        var protector = Protector("k1", ("k1", OldKey));

        Assert.NotEqual(protector.Encrypt("张三", PersonalDataPurpose.Name), protector.Encrypt("张三", PersonalDataPurpose.Name));
    }

    [Fact]
    public void AfterRotationOldCiphertextsStillDecryptAndNewOnesCarryTheNewKeyId()
    {
        var before = Protector("k1", ("k1", OldKey));
        var after = Protector("k2", ("k1", OldKey), ("k2", NewKey));
        var old = before.Encrypt("13812345678", PersonalDataPurpose.Phone);

        var fresh = after.Encrypt("13812345678", PersonalDataPurpose.Phone);

        Assert.Equal("13812345678", after.Decrypt(old, PersonalDataPurpose.Phone));
        Assert.Equal("k1", PersonalDataProtector.KeyIdOf(old));
        Assert.Equal("k2", PersonalDataProtector.KeyIdOf(fresh));
    }

    [Fact]
    public void CiphertextMovedToAnotherFieldOrTamperedWithDoesNotDecrypt()
    {
        var protector = Protector("k1", ("k1", OldKey));
        var blob = protector.Encrypt("6222020200112345679", PersonalDataPurpose.CardNumber);
        var tampered = (byte[])blob.Clone();
        tampered[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => protector.Decrypt(blob, PersonalDataPurpose.Phone));
        Assert.ThrowsAny<CryptographicException>(() => protector.Decrypt(tampered, PersonalDataPurpose.CardNumber));
    }

    [Fact]
    public void LookupHashIsStablePerPurposeAndDiffersAcrossPurposes()
    {
        var protector = Protector("k1", ("k1", OldKey));

        Assert.Equal(protector.LookupHash("13812345678", PersonalDataPurpose.Phone), protector.LookupHash("13812345678", PersonalDataPurpose.Phone));
        Assert.NotEqual(protector.LookupHash("13812345678", PersonalDataPurpose.Phone), protector.LookupHash("13812345678", PersonalDataPurpose.Name));
    }

    [Fact]
    public void OptionsRefuseAMissingCurrentKeyAndShortKeys()
    {
        var options = new PersonalDataOptions { CurrentKeyId = "k9", Keys = new() { ["k1"] = "c2hvcnQ=" }, HashKey = "c2hvcnQ=" };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();

        Assert.Contains(errors, e => e!.Contains("current key id 'k9'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.Contains("PersonalData:Keys:k1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.Contains("PersonalData:HashKey", StringComparison.Ordinal));
    }
}
