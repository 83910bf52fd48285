using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Features.Applications;
using HeadlessLoan.Api.Features.Borrowers;
using HeadlessLoan.Api.Integrations.Bureau;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Api.Tests.Applications;
using HeadlessLoan.Api.Tests.Decisions;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Domain.Cards;
using HeadlessLoan.Domain.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Privacy;

/// <summary>Personal data is encrypted under a key id of the longest length allowed, so every blob is as long as it can get.</summary>
public sealed class LongestKeyIdFactory : ApiFactory
{
    public static readonly string KeyId = new('k', PersonalDataProtector.MaxKeyIdLength);

    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["PersonalData:CurrentKeyId"] = KeyId,
        [$"PersonalData:Keys:{KeyId}"] = _key,
    };
}

/// <summary>
/// Every encrypted column holds the longest value its field accepts (4 bytes a character at worst) in the longest envelope:
/// through the API where the value comes from a caller or from WeChat, written straight into the column otherwise.
/// </summary>
public sealed class EncryptedColumnTests(LongestKeyIdFactory api) : IClassFixture<LongestKeyIdFactory>
{
    /// <summary>A CJK character outside the BMP (CJK Extension B): 4 bytes in UTF-8, 2 chars in .NET, 1 character to the contract.</summary>
    private const string Supplementary = "\U00020BB7";

    private static readonly string LongestName = Repeat(Supplementary, ApplicationsApi.MaxDeclaredNameLength);
    private static readonly string LongestAddress = Repeat(Supplementary, ApplicationsApi.MaxDeclaredAddressLength);

    private PersonalDataProtector Protector => api.Services.GetRequiredService<PersonalDataProtector>();

    [Fact]
    public async Task TheLongestDeclaredNameAndAddressAreStoredWhole()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();

        var outsideBmp = await CreateAsync(borrower, productId, LongestName, LongestAddress);
        var inBmp = await CreateAsync(borrower, productId, Repeat("张", ApplicationsApi.MaxDeclaredNameLength), Repeat("中", ApplicationsApi.MaxDeclaredAddressLength));

        await outsideBmp.AssertStatusAsync(HttpStatusCode.Created);
        await inBmp.AssertStatusAsync(HttpStatusCode.Created);
        var (nameEnc, addressEnc) = await DeclaredAsync((await outsideBmp.ReadJsonAsync()).GetProperty("id").GetGuid());
        Assert.Equal(PersonalDataProtector.MaxBlobBytes(ApplicationsApi.MaxDeclaredNameLength), nameEnc.Length);
        Assert.Equal(PersonalDataProtector.MaxBlobBytes(ApplicationsApi.MaxDeclaredAddressLength), addressEnc.Length);
        Assert.Equal(LongestName, Protector.Decrypt(nameEnc, PersonalDataPurpose.Name));
        Assert.Equal(LongestAddress, Protector.Decrypt(addressEnc, PersonalDataPurpose.Address));
        var (_, bmpAddress) = await DeclaredAsync((await inBmp.ReadJsonAsync()).GetProperty("id").GetGuid());
        Assert.Equal(Repeat("中", ApplicationsApi.MaxDeclaredAddressLength), Protector.Decrypt(bmpAddress, PersonalDataPurpose.Address));
    }

    [Fact]
    public async Task CharactersAreCountedAsTheContractCountsThem()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();

        var name = await CreateAsync(borrower, productId, LongestName + Supplementary, "北京市东城区沙箱路1号");
        var address = await CreateAsync(borrower, productId, "张三", LongestAddress + Supplementary);

        Assert.Equal(["declaredName"], (await name.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
        Assert.Equal(["declaredAddress"], (await address.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task TheLongestNameOnAnIdCardIsStoredWhole()
    {
        var marker = "hl-test:" + Guid.NewGuid().ToString("N");
        var idNumber = NewIdNumber();
        OcrAnswers(marker, LongestName, idNumber);
        var productId = await api.CreateProductIdAsync(ageMin: 18, ageMax: 65);
        using var borrower = await api.CreateBorrowerClientAsync();
        var created = await CreateAsync(borrower, productId, LongestName, "北京市东城区沙箱路1号");
        await created.AssertStatusAsync(HttpStatusCode.Created);
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetGuid();

        var document = await borrower.UploadAsync(id, "id_front", [.. Intake.Sample("unreadable"), .. Encoding.ASCII.GetBytes(marker)]);

        await document.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal("accepted", (await document.ReadJsonAsync()).GetProperty("status").GetString());
        await using var db = await api.OpenDatabaseAsync();
        var row = await db.QuerySingleAsync<(byte[] NameEnc, byte[] NumberEnc)>(
            "SELECT id_name_enc, id_number_enc FROM applications WHERE id = @id", new { id });
        Assert.Equal(LongestName, Protector.Decrypt(row.NameEnc, PersonalDataPurpose.Name));
        Assert.Equal(idNumber, Protector.Decrypt(row.NumberEnc, PersonalDataPurpose.IdNumber));
    }

    [Fact]
    public async Task TheLongestPhoneNumberIsStoredAndALongerOneIsWeChatsFault()
    {
        var longest = "8" + new string('6', BorrowerStore.MaxPhoneDigits - 1);
        PhoneAnswers("test_phone_longest", longest);
        PhoneAnswers("test_phone_too_long", longest + "1");
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await (await borrower.GetAsync("/v1/borrowers/me")).ReadJsonAsync()).GetProperty("id").GetGuid();

        var tooLong = await borrower.PostAsJsonAsync("/v1/borrowers/me/phone", new { code = "test_phone_too_long" });
        var bound = await borrower.PostAsJsonAsync("/v1/borrowers/me/phone", new { code = "test_phone_longest" });

        await tooLong.AssertProblemAsync(HttpStatusCode.BadGateway, "upstream_error");
        await bound.AssertStatusAsync(HttpStatusCode.OK);
        await using var db = await api.OpenDatabaseAsync();
        var stored = await db.QuerySingleAsync<byte[]>("SELECT phone_enc FROM borrowers WHERE id = @id", new { id });
        Assert.Equal(longest, Protector.Decrypt(stored, PersonalDataPurpose.Phone));
    }

    [Fact]
    public async Task TheLongestSessionKeyIsStoredAndALongerOneIsWeChatsFault()
    {
        var longest = new string('K', BorrowerStore.MaxSessionKeyLength);
        SessionAnswers("test_session_longest", "o_test_" + Guid.NewGuid().ToString("N")[..20], longest);
        SessionAnswers("test_session_too_long", "o_test_" + Guid.NewGuid().ToString("N")[..20], longest + "K");
        using var client = api.CreateApiClient();

        var tooLong = await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code = "test_session_too_long" });
        var bound = await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code = "test_session_longest" });

        await tooLong.AssertProblemAsync(HttpStatusCode.BadGateway, "upstream_error");
        await bound.AssertStatusAsync(HttpStatusCode.OK);
        var id = (await bound.ReadJsonAsync()).GetProperty("borrowerId").GetGuid();
        await using var db = await api.OpenDatabaseAsync();
        var stored = await db.QuerySingleAsync<byte[]>("SELECT session_key_enc FROM borrowers WHERE id = @id", new { id });
        Assert.Equal(longest, Protector.Decrypt(stored, PersonalDataPurpose.WeChatSessionKey));
    }

    [Fact]
    public async Task ABureauReportTooLongToKeepSendsTheApplicationToPeople()
    {
        var marker = "hl-test:" + Guid.NewGuid().ToString("N");
        var idNumber = NewIdNumber();
        OcrAnswers(marker, Intake.DeclaredName, idNumber);
        BureauAnswers(idNumber, reportId: new string('r', 2000));
        var productId = await IntakeFlow.CreateProductAsync(api);
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        var front = await borrower.UploadAsync(id, "id_front", [.. Intake.Sample("unreadable"), .. Encoding.ASCII.GetBytes(marker)]);
        Assert.Equal("accepted", (await front.ReadJsonAsync()).GetProperty("status").GetString());
        await borrower.UploadSampleAsync(id, "id_back", "id-back-valid");
        await borrower.UploadSampleAsync(id, "bank_card", "card-valid");
        await (await borrower.ConsentAsync(id)).AssertStatusAsync(HttpStatusCode.Created);

        await IntakeFlow.SubmitAsync(borrower, id);

        var decided = await IntakeFlow.DecidedAsync(borrower, id);
        Assert.Equal("pending_approval", decided.GetProperty("status").GetString());
        Assert.Equal(["bureau_unavailable"], decided.ReasonCodes());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM bureau_reports WHERE application_id = @id", new { id }));
    }

    /// <summary>Each encrypted column, its field's purpose, and the longest value the service lets into it.</summary>
    public static TheoryData<string, string, string, string> LongestValues() => new()
    {
        { "applications", "declared_name_enc", PersonalDataPurpose.Name, LongestName },
        { "applications", "declared_address_enc", PersonalDataPurpose.Address, LongestAddress },
        // The name on the ID card is accepted only when it equals the declared name.
        { "applications", "id_name_enc", PersonalDataPurpose.Name, LongestName },
        { "applications", "id_number_enc", PersonalDataPurpose.IdNumber, new string('9', ResidentIdNumber.Length) },
        { "applications", "card_number_enc", PersonalDataPurpose.CardNumber, new string('9', BankCardNumber.MaxLength) },
        { "borrowers", "phone_enc", PersonalDataPurpose.Phone, new string('9', BorrowerStore.MaxPhoneDigits) },
        { "borrowers", "session_key_enc", PersonalDataPurpose.WeChatSessionKey, new string('~', BorrowerStore.MaxSessionKeyLength) },
        { "bureau_reports", "report_enc", PersonalDataPurpose.BureauReport, LongestReport() },
    };

    [Theory]
    [MemberData(nameof(LongestValues))]
    public async Task EveryEncryptedColumnHoldsItsLongestValue(string table, string column, string purpose, string longest)
    {
        var blob = Protector.Encrypt(longest, purpose);
        await using var db = await api.OpenDatabaseAsync();
        var id = await RowAsync(db, table);

        // Strict mode refuses a value too long for its column (MariaDB and MySQL 8 both default to it).
        await db.ExecuteAsync($"UPDATE {table} SET {column} = @blob WHERE id = @id", new { blob, id });

        var stored = await db.QuerySingleAsync<byte[]>($"SELECT {column} FROM {table} WHERE id = @id", new { id });
        Assert.Equal(longest, Protector.Decrypt(stored, purpose));
    }

    [Fact]
    public async Task EveryEncryptedColumnIsSizedByThisClass()
    {
        await using var db = await api.OpenDatabaseAsync();

        var columns = await db.QueryAsync<string>("""
            SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME) FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME LIKE '%\_enc'
            """);

        var sized = LongestValues().Select(row => $"{row[0]}.{row[1]}");
        Assert.Equal(sized.Order(StringComparer.Ordinal), columns.Order(StringComparer.Ordinal));
    }

    /// <summary>The longest report <see cref="CreditBureauClient"/> keeps, serialised as the pipeline stores it.</summary>
    private static string LongestReport() => JsonSerializer.Serialize(new BureauReportDocument(
        new string('r', BureauReportDocument.MaxReportIdLength), int.MinValue, int.MinValue, int.MinValue, Blacklisted: false,
        new DateTimeOffset(9999, 12, 31, 9, 59, 59, TimeSpan.FromHours(-14)).AddTicks(9_999_999)));

    private static async Task<HttpResponseMessage> CreateAsync(HttpClient borrower, Guid productId, string name, string address)
    {
        var body = Intake.ValidApplication(productId);
        body["declaredName"] = name;
        body["declaredAddress"] = address;
        return await borrower.PostAsJsonAsync("/v1/applications", body);
    }

    private async Task<(byte[] Name, byte[] Address)> DeclaredAsync(Guid id)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.QuerySingleAsync<(byte[], byte[])>("SELECT declared_name_enc, declared_address_enc FROM applications WHERE id = @id", new { id });
    }

    /// <summary>A row of <paramref name="table"/> to write into: made through the API, or inserted for the bureau's reports.</summary>
    private async Task<string> RowAsync(MySqlConnector.MySqlConnection db, string table)
    {
        using var borrower = await api.CreateBorrowerClientAsync();
        if (table == "borrowers")
        {
            return (await (await borrower.GetAsync("/v1/borrowers/me")).ReadJsonAsync()).GetProperty("id").GetString()!;
        }

        var application = (await borrower.CreateApplicationAsync(await api.CreateProductIdAsync())).GetProperty("id").GetString()!;
        if (table == "applications")
        {
            return application;
        }

        var report = Guid.NewGuid().ToString();
        await db.ExecuteAsync("""
            INSERT INTO bureau_reports (id, id_number_hash, application_id, consent_id, report_enc, score, fetched_at)
            VALUES (@report, @hash, @application, @consent, x'00', 720, UTC_TIMESTAMP(6))
            """, new { report, hash = new byte[32], application, consent = Guid.NewGuid().ToString() });
        return report;
    }

    private void OcrAnswers(string marker, string name, string idNumber) => api.Sandbox.Server.WithMapping($$$"""
        {
          "Priority": 1,
          "Request": {
            "Methods": ["POST"], "Path": "/cv/ocr/idcard",
            "Body": {"Matcher": {"Name": "SandboxImageMarker", "Pattern": "{{{marker}}}"}}
          },
          "Response": {
            "StatusCode": 200, "Headers": {"Content-Type": "application/json; encoding=utf-8"},
            "BodyAsJson": {"errcode": 0, "errmsg": "ok", "type": "Front", "name": "{{{name}}}", "id": "{{{idNumber}}}",
                           "addr": "北京市东城区沙箱路1号", "gender": "男", "nationality": "汉"}
          }
        }
        """);

    private void PhoneAnswers(string code, string phone) => api.Sandbox.Server.WithMapping($$$"""
        {
          "Priority": 1,
          "Request": {
            "Methods": ["POST"], "Path": "/wxa/business/getuserphonenumber",
            "Body": {"Matcher": {"Name": "JmesPathMatcher", "Pattern": "code == '{{{code}}}'"}}
          },
          "Response": {
            "StatusCode": 200, "Headers": {"Content-Type": "application/json; encoding=utf-8"},
            "Body": "{\"errcode\": 0, \"errmsg\": \"ok\", \"phone_info\": {\"phoneNumber\": \"{{{phone}}}\", \"purePhoneNumber\": \"{{{phone}}}\", \"countryCode\": \"86\"}}"
          }
        }
        """);

    private void SessionAnswers(string code, string openId, string sessionKey) => api.Sandbox.Server.WithMapping($$$"""
        {
          "Priority": 1,
          "Request": {
            "Methods": ["GET"], "Path": "/sns/jscode2session",
            "Params": [{"Name": "js_code", "Matchers": [{"Name": "ExactMatcher", "Pattern": "{{{code}}}"}]}]
          },
          "Response": {
            "StatusCode": 200, "Headers": {"Content-Type": "application/json; encoding=utf-8"},
            "BodyAsJson": {"openid": "{{{openId}}}", "session_key": "{{{sessionKey}}}"}
          }
        }
        """);

    private void BureauAnswers(string idNumber, string reportId) => api.Sandbox.Server.WithMapping($$$"""
        {
          "Priority": 1,
          "Request": {
            "Methods": ["POST"], "Path": "/bureau/v1/reports",
            "Body": {"Matcher": {"Name": "JmesPathMatcher", "Pattern": "idNumber == '{{{idNumber}}}'"}}
          },
          "Response": {
            "StatusCode": 200, "Headers": {"Content-Type": "application/json; charset=utf-8"},
            "BodyAsJson": {"reportId": "{{{reportId}}}", "score": 720, "overdueRecords": 0, "recentInquiries": 1, "blacklisted": false,
                           "generatedAt": "2026-03-02T09:00:00+08:00"}
          }
        }
        """);

    /// <summary>A valid resident ID number of its own (an adult born 1980-01-01), so no other test's answers apply to it.</summary>
    private static string NewIdNumber()
    {
        var body = "11010119800101" + RandomNumberGenerator.GetInt32(100, 1000).ToString(CultureInfo.InvariantCulture);
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = body.Select((c, i) => (c - '0') * weights[i]).Sum();
        return body + "10X98765432"[sum % 11];
    }

    private static string Repeat(string text, int times) => string.Concat(Enumerable.Repeat(text, times));
}
