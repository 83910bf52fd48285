using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Paging;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Domain.Applications;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Applications;

/// <summary>An application as stored; personal fields stay encrypted until the answer masks them.</summary>
public sealed record ApplicationRow(
    Guid Id, Guid? BorrowerId, Guid? ChannelId, string? ChannelCustomerRef, Guid ProductId, int ProductVersion,
    long Amount, int TermMonths, string Method, string Purpose, byte[] DeclaredNameEnc, string DeclaredRegionCode,
    string Status, string CurrentStep, byte[]? IdNumberEnc, byte[]? IdNameEnc, DateTime? IdValidUntil,
    byte[]? CardNumberEnc, string? CardBank, string? Decision, string? DecisionReasons, DateTime? DecidedAt,
    DateTime? SubmittedAt, DateTime CreatedAt, DateTime UpdatedAt)
{
    public ApplicationStatus State => ApplicationStatusNames.Parse(Status);
}

public sealed record DocumentRow(
    Guid Id, Guid ApplicationId, string Kind, string ContentType, int SizeBytes, string Sha256, string BlobKey,
    string Status, string? ErrorCode, DateTime CreatedAt);

/// <summary>A new application: who applies, for what, and the declared personal data in clear (encrypted here).</summary>
public sealed record NewApplication(
    Guid Id, Guid? BorrowerId, Guid? ChannelId, string? CustomerRef, Guid ProductId, int ProductVersion, long Amount,
    int TermMonths, string Method, string Purpose, string DeclaredName, string DeclaredRegionCode, string DeclaredAddress,
    string? DeviceFingerprint, string? RequestIp);

/// <summary>Who may see an application: staff see all, a borrower or a channel only their own.</summary>
public sealed record ApplicationScope(Guid? BorrowerId, Guid? ChannelId)
{
    public bool MaySee(ApplicationRow row) =>
        (BorrowerId is null || row.BorrowerId == BorrowerId) && (ChannelId is null || row.ChannelId == ChannelId);
}

public sealed record ApplicationFilter(string? Status, Guid? ProductId, DateTime? SubmittedFrom, DateTime? SubmittedTo);

/// <summary>A keyset position: the last item of the previous page (newest first).</summary>

public enum DocumentAdd { Added, NotDraft, TooMany }

/// <summary>SQL for applications, their documents and consents. State changes and their events share a transaction.</summary>
public sealed class ApplicationStore(MySqlDataSource db, AuditTrail audit, PersonalDataProtector protector, TimeProvider clock)
{
    internal const string EntityType = "application";

    /// <summary>Where every application starts.</summary>
    private const ApplicationStatus Created = ApplicationStatus.Draft;

    public async Task<ApplicationRow> InsertAsync(NewApplication a, AuditActor actor, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        await change.ExecuteAsync(InsertSql, new
        {
            a.Id,
            a.BorrowerId,
            a.ChannelId,
            a.CustomerRef,
            a.ProductId,
            a.ProductVersion,
            a.Amount,
            a.TermMonths,
            a.Method,
            a.Purpose,
            NameEnc = protector.Encrypt(a.DeclaredName, PersonalDataPurpose.Name),
            NameHash = protector.LookupHash(a.DeclaredName, PersonalDataPurpose.Name),
            a.DeclaredRegionCode,
            AddressEnc = protector.Encrypt(a.DeclaredAddress, PersonalDataPurpose.Address),
            a.DeviceFingerprint,
            a.RequestIp,
            Status = Created.ToWire(),
            Step = Created.StepOf(),
            now,
        }, ct);
        // What was applied for; the declared name and address are personal data and stay out of the trail.
        change.Audit(new AuditEntry(actor, "application.created", EntityType, a.Id.ToString(), null, new
        {
            a.ProductId,
            a.ProductVersion,
            a.Amount,
            a.TermMonths,
            a.Method,
            a.DeclaredRegionCode,
            channelCustomerRef = a.CustomerRef,
            status = Created.ToWire(),
            step = Created.StepOf(),
        }));
        var row = await change.QuerySingleOrDefaultAsync<ApplicationRow>(SelectApplication + " WHERE id = @id", new { id = a.Id }, ct);
        await change.CommitAsync(ct);
        return row!;
    }

    public async Task<ApplicationRow?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ApplicationRow>(new CommandDefinition(SelectApplication + " WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>The application, only when <paramref name="scope"/> may see it (one answer for "absent" and "not yours").</summary>
    public async Task<ApplicationRow?> GetVisibleAsync(Guid id, ApplicationScope scope, CancellationToken ct) =>
        await GetAsync(id, ct) is { } row && scope.MaySee(row) ? row : null;

    public async Task<(IReadOnlyList<DocumentRow> Documents, bool ConsentGiven)> DetailsAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(
            SelectDocument + " WHERE application_id = @id ORDER BY created_at, id; " + CountConsentSql, new { id }, cancellationToken: ct));
        var documents = (await results.ReadAsync<DocumentRow>()).AsList();
        var consents = await results.ReadSingleAsync<int>();
        return (documents, consents > 0);
    }

    /// <summary>
    /// Records an upload and, when accepted, what it proved on the application, in one transaction that holds the
    /// application's row lock, so concurrent uploads cannot pass the document limit or land after submit.
    /// </summary>
    /// <summary>
    /// Takes one of the application's upload slots before its OCR call is paid for (one conditional UPDATE, committed at
    /// once); false when all <paramref name="maxDocuments"/> are taken.
    /// </summary>
    public async Task<bool> TakeDocumentSlotAsync(Guid id, int maxDocuments, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE applications SET document_slots_taken = document_slots_taken + 1 WHERE id = @id AND document_slots_taken < @maxDocuments",
            new { id, maxDocuments }, cancellationToken: ct)) == 1;
    }

    /// <summary>An upload that recorded no document gives its slot back.</summary>
    public async Task GiveBackDocumentSlotAsync(Guid id)
    {
        await using var conn = await db.OpenConnectionAsync(CancellationToken.None);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE applications SET document_slots_taken = document_slots_taken - 1 WHERE id = @id AND document_slots_taken > 0", new { id }));
    }

    public async Task<DocumentAdd> AddDocumentAsync(DocumentRow document, DocumentVerdict verdict, int maxDocuments, AuditActor actor, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var status = await change.ScalarAsync<string?>(LockApplicationSql, new { id = document.ApplicationId }, ct);
        if (!MayEdit(status))
        {
            return DocumentAdd.NotDraft;
        }

        var count = await change.ScalarAsync<int>(CountDocumentsSql, new { id = document.ApplicationId }, ct);
        if (count >= maxDocuments)
        {
            return DocumentAdd.TooMany;
        }

        await change.ExecuteAsync(InsertDocumentSql, document, ct);
        if (verdict.Accepted)
        {
            var (sql, values) = document.Kind switch
            {
                "id_front" => (ProveIdentitySql, (object)new
                {
                    id = document.ApplicationId,
                    now,
                    numberEnc = protector.Encrypt(verdict.Identity!.IdNumber, PersonalDataPurpose.IdNumber),
                    numberHash = protector.LookupHash(verdict.Identity.IdNumber, PersonalDataPurpose.IdNumber),
                    nameEnc = protector.Encrypt(verdict.Identity.Name, PersonalDataPurpose.Name),
                    birthDate = verdict.Identity.BirthDate.ToDateTime(TimeOnly.MinValue),
                }),
                "id_back" => (ProveValiditySql, new { id = document.ApplicationId, now, validUntil = verdict.ValidUntil?.ToDateTime(TimeOnly.MinValue) }),
                _ => (ProveCardSql, new
                {
                    id = document.ApplicationId,
                    now,
                    numberEnc = protector.Encrypt(verdict.CardNumber!, PersonalDataPurpose.CardNumber),
                    numberHash = protector.LookupHash(verdict.CardNumber!, PersonalDataPurpose.CardNumber),
                    bank = verdict.CardBank,
                }),
            };
            await change.ExecuteAsync(sql, values, ct);
        }
        else
        {
            await change.ExecuteAsync(TouchSql, new { id = document.ApplicationId, now }, ct);
        }

        // The outcome of the check, never what the document says.
        change.Audit(new AuditEntry(actor, "application.document_added", EntityType, document.ApplicationId.ToString(), null, new
        {
            documentId = document.Id,
            document.Kind,
            document.Status,
            errorCodes = verdict.ErrorCodes,
            document.Sha256,
        }));
        await change.CommitAsync(ct);
        return DocumentAdd.Added;
    }

    /// <summary>False when the application is no longer a draft.</summary>
    public async Task<(bool Added, DateTime GrantedAt)> AddConsentAsync(
        Guid consentId, Guid applicationId, string textVersion, string byKind, Guid byId, string? ip, string? userAgent, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var status = await change.ScalarAsync<string?>(LockApplicationSql, new { id = applicationId }, ct);
        if (!MayEdit(status))
        {
            return (false, now);
        }

        await change.ExecuteAsync(InsertConsentSql, new
        {
            id = consentId,
            applicationId,
            purpose = "credit_bureau_query",
            textVersion,
            byKind,
            byId,
            ip,
            userAgent,
            now,
        }, ct);
        await change.ExecuteAsync(TouchSql, new { id = applicationId, now }, ct);
        change.Audit(new AuditEntry(new AuditActor(byKind, byId.ToString()), "application.consent_recorded", EntityType,
            applicationId.ToString(), null, new { consentId, purpose = "credit_bureau_query", textVersion }));
        await change.CommitAsync(ct);
        return (true, now);
    }

    /// <summary>Whether the application, its status read under the row lock (null: no such row), still takes documents and consents.</summary>
    private static bool MayEdit(string? status) =>
        status is not null && ApplicationLifecycle.Allows(ApplicationStatusNames.Parse(status), ApplicationEvent.EditDocuments);

    /// <summary>One page, newest first, plus one row more to tell whether another page follows.</summary>
    public async Task<IReadOnlyList<ApplicationRow>> ListAsync(
        ApplicationScope scope, ApplicationFilter filter, ListPosition? after, int limit, CancellationToken ct)
    {
        var where = new SqlWhere()
            .And(scope.BorrowerId is not null, "borrower_id = @borrowerId")
            .And(scope.ChannelId is not null, "channel_id = @channelId")
            .And(filter.Status is not null, "status = @status")
            .And(filter.ProductId is not null, "product_id = @productId")
            .And(filter.SubmittedFrom is not null, "submitted_at >= @submittedFrom")
            .And(filter.SubmittedTo is not null, "submitted_at < @submittedTo")
            .And(after is not null, AfterCondition);
        var sql = SelectApplication + where + " ORDER BY created_at DESC, id DESC LIMIT @take";
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ApplicationRow>(new CommandDefinition(sql, new
        {
            borrowerId = scope.BorrowerId,
            channelId = scope.ChannelId,
            status = filter.Status,
            productId = filter.ProductId,
            submittedFrom = filter.SubmittedFrom,
            submittedTo = filter.SubmittedTo,
            afterAt = after?.CreatedAt,
            afterId = after?.Id,
            take = limit + 1,
        }, cancellationToken: ct))).AsList();
    }

    private const string AfterCondition = "(created_at < @afterAt OR (created_at = @afterAt AND id < @afterId))";

    internal const string SelectApplication = """
        SELECT id, borrower_id, channel_id, channel_customer_ref,
               product_id, product_version, amount, term_months,
               method, purpose, declared_name_enc, declared_region_code,
               status, current_step, id_number_enc, id_name_enc,
               id_valid_until, card_number_enc, card_bank, decision,
               CAST(decision_reasons AS CHAR) AS DecisionReasons, decided_at, submitted_at,
               created_at, updated_at
          FROM applications
        """;

    internal const string SelectDocument = """
        SELECT id, application_id, kind, content_type, size_bytes,
               sha256, blob_key, status, error_code, created_at
          FROM application_documents
        """;

    private const string InsertSql = """
        INSERT INTO applications
          (id, borrower_id, channel_id, channel_customer_ref, product_id, product_version, amount, term_months, method, purpose,
           declared_name_enc, declared_name_hash, declared_region_code, declared_address_enc, device_fingerprint, request_ip,
           status, current_step, created_at, updated_at)
        VALUES
          (@Id, @BorrowerId, @ChannelId, @CustomerRef, @ProductId, @ProductVersion, @Amount, @TermMonths, @Method, @Purpose,
           @NameEnc, @NameHash, @DeclaredRegionCode, @AddressEnc, @DeviceFingerprint, @RequestIp,
           @Status, @Step, @now, @now)
        """;

    private const string LockApplicationSql = "SELECT status FROM applications WHERE id = @id FOR UPDATE";

    private const string CountDocumentsSql = "SELECT COUNT(*) FROM application_documents WHERE application_id = @id";

    private const string InsertDocumentSql = """
        INSERT INTO application_documents (id, application_id, kind, content_type, size_bytes, sha256, blob_key, status, error_code, created_at)
        VALUES (@Id, @ApplicationId, @Kind, @ContentType, @SizeBytes, @Sha256, @BlobKey, @Status, @ErrorCode, @CreatedAt)
        """;

    private const string ProveIdentitySql = """
        UPDATE applications SET id_number_enc = @numberEnc, id_number_hash = @numberHash, id_name_enc = @nameEnc,
               id_birth_date = @birthDate, updated_at = @now
         WHERE id = @id
        """;

    private const string ProveValiditySql = "UPDATE applications SET id_valid_until = @validUntil, updated_at = @now WHERE id = @id";

    private const string ProveCardSql = """
        UPDATE applications SET card_number_enc = @numberEnc, card_number_hash = @numberHash, card_bank = @bank, updated_at = @now
         WHERE id = @id
        """;

    private const string TouchSql = "UPDATE applications SET updated_at = @now WHERE id = @id";

    private const string InsertConsentSql = """
        INSERT INTO application_consents (id, application_id, purpose, text_version, granted_by_kind, granted_by_id, ip, user_agent, granted_at)
        VALUES (@id, @applicationId, @purpose, @textVersion, @byKind, @byId, @ip, @userAgent, @now)
        """;

    private const string CountConsentSql =
        "SELECT COUNT(*) FROM application_consents WHERE application_id = @id AND purpose = 'credit_bureau_query'";
}
