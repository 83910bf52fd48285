using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Domain.Applications;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Applications;

/// <summary>What became of a submit; <see cref="Answered"/>: its idempotency key already has a finished answer.</summary>
public enum Submission { Submitted, NotFound, NotDraft, Incomplete, Answered }

/// <summary>
/// What submit did; on success the application as it now is, with its documents and consent, and the answer stored
/// under the request's idempotency key if it came with one; or the answer found already finished under that key.
/// </summary>
public sealed record SubmitResult(
    Submission Outcome, IReadOnlyList<string> Missing, ApplicationRow? Row, IReadOnlyList<DocumentRow> Documents, bool ConsentGiven,
    StoredResponse? Answer = null, FinishedAnswer? Finished = null);

/// <summary>A submit's answer, rendered from its result and stored under the request's idempotency key with the submit itself.</summary>
public sealed record SubmitAnswer(IdempotentRequest Request, Func<SubmitResult, StoredResponse> Render);

/// <summary>
/// Submits applications: the state change, its outbox event and its audit record in one transaction, answered at once
/// (the intake pipeline picks the event up). Submits arriving together are written together
/// (<see cref="MicroBatcher{TItem,TResult}"/>): one transaction locks the batch's applications in key order, reads their
/// documents and consents, and writes every complete one with one UPDATE and one multi-row insert each for the events
/// and the audit records — so a burst of submits costs the database a few statements and one commit per batch, not per
/// submit. Each submit is still decided on its own (visible to the caller, editable, complete) and answered with its
/// own outcome; if the transaction fails, every submit in it fails and none was made. A submit's answer goes into the
/// same transaction when the request carries an idempotency key (<see cref="IdempotentRequest"/>): a retry after a crash
/// is replayed its own 202, and a submit costs no write of its own afterwards. The batch also looks for answers already
/// finished under the keys the middleware did not look up (<see cref="IdempotencyInHandler"/>): such a submit is not
/// made again but answered with what was stored.
/// </summary>
public sealed partial class ApplicationSubmitter : IAsyncDisposable
{
    /// <summary>The most submits one transaction carries.</summary>
    public const int MaxBatch = 64;

    /// <summary>How often a batch rolled back by a deadlock is tried in all.</summary>
    private const int MaxAttempts = 3;

    /// <summary>
    /// The status submit leads to. It is the same from every status submit is allowed in (the lifecycle's tests pin
    /// it), so one UPDATE writes the whole batch.
    /// </summary>
    private static readonly ApplicationStatus SubmittedStatus = ApplicationLifecycle.Next(ApplicationStatus.Draft, ApplicationEvent.Submit).Next;

    private static readonly string[] RequiredKinds = ["id_front", "id_back", "bank_card"];

    private readonly MySqlDataSource _db;
    private readonly AuditTrail _audit;
    private readonly TimeProvider _clock;
    private readonly MicroBatcher<Request, SubmitResult> _batcher;
    private readonly ILogger _logger;

    public ApplicationSubmitter(MySqlDataSource db, AuditTrail audit, TimeProvider clock, ILogger<ApplicationSubmitter> logger)
    {
        _db = db;
        _audit = audit;
        _clock = clock;
        _logger = logger;
        _batcher = new MicroBatcher<Request, SubmitResult>("application submits", SubmitAllAsync, MaxBatch, logger, inFlight: 2);
    }

    /// <summary>Submits application <paramref name="id"/> if <paramref name="scope"/> may see it and it is a complete draft (or returned one).</summary>
    public Task<SubmitResult> SubmitAsync(Guid id, ApplicationScope scope, AuditActor actor, SubmitAnswer? answer, CancellationToken ct) =>
        _batcher.RunAsync(new Request(id, scope, actor, _audit.CurrentRequestId(), answer), ct);

    /// <summary>
    /// Two batches run at once, so one's round trips overlap the other's commit. They lock applications in key order and
    /// cannot wait on each other there; an answer upsert replacing an expired key takes gap locks that can still meet
    /// another batch's, and the database then rolls one batch back whole: it is run again.
    /// </summary>
    private async Task<IReadOnlyList<SubmitResult>> SubmitAllAsync(IReadOnlyList<Request> requests, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TrySubmitAllAsync(requests, ct);
            }
            catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.LockDeadlock && attempt < MaxAttempts)
            {
                LogDeadlock(_logger, requests.Count, attempt);
            }
        }
    }

    private async Task<IReadOnlyList<SubmitResult>> TrySubmitAllAsync(IReadOnlyList<Request> requests, CancellationToken ct)
    {
        var now = DbTime.Now(_clock);
        var ids = requests.Select(r => r.Id).Distinct().Order().ToArray();
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);

        // One round trip locks the batch's applications in key order (as every writer of an application does first), reads
        // what submit checks and looks up the keys the middleware left to the batch. Its text differs with the batch's size:
        // sent through the driver, each result parsed by the data mapper's row parser for its type.
        var notLookedUp = Enumerable.Range(0, requests.Count).Where(i => requests[i].Answer is { Request.LookedUp: false }).ToList();
        await using var read = conn.CreateCommand();
        read.Transaction = tx;
        for (var i = 0; i < ids.Length; i++)
        {
            read.Parameters.AddWithValue($"@id{i}", ids[i]);
        }

        var idList = string.Join(", ", ids.Select((_, i) => $"@id{i}"));
        read.CommandText = $"""
            {ApplicationStore.SelectApplication} WHERE id IN ({idList}) ORDER BY id FOR UPDATE;
            {ApplicationStore.SelectDocument} WHERE application_id IN ({idList}) ORDER BY created_at, id;
            SELECT DISTINCT application_id FROM application_consents WHERE application_id IN ({idList}) AND purpose = 'credit_bureau_query';
            SELECT MAX(version) FROM approval_policy_versions;
            {(notLookedUp.Count == 0 ? "" : IdempotencyStore.FindAnswersSql(
                notLookedUp.ConvertAll(i => (requests[i].Answer!.Request.Scope, requests[i].Answer!.Request.Key)), now, read.Parameters, "f"))}
            """;
        var rows = new Dictionary<Guid, ApplicationRow>();
        var documentList = new List<DocumentRow>();
        var consented = new HashSet<Guid>();
        int? policyVersion = null;
        var results = new SubmitResult?[requests.Count];
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            var application = reader.GetRowParser<ApplicationRow>();
            while (await reader.ReadAsync(ct))
            {
                var row = application(reader);
                rows[row.Id] = row;
            }

            await reader.NextResultAsync(ct);
            var document = reader.GetRowParser<DocumentRow>();
            while (await reader.ReadAsync(ct))
            {
                documentList.Add(document(reader));
            }

            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                consented.Add(reader.GetGuid(0));
            }

            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct) && !reader.IsDBNull(0))
            {
                policyVersion = reader.GetInt32(0);
            }

            if (notLookedUp.Count > 0 && await reader.NextResultAsync(ct))
            {
                var found = await IdempotencyStore.ReadAnswersAsync(reader, notLookedUp.Count, ct);
                for (var j = 0; j < notLookedUp.Count; j++)
                {
                    if (found[j] is { } finished)
                    {
                        results[notLookedUp[j]] = new SubmitResult(Submission.Answered, [], null, [], false, Finished: finished);
                    }
                }
            }
        }

        var documents = documentList.ToLookup(d => d.ApplicationId);
        var submitted = new List<Guid>();
        var events = new List<object>();
        var records = new List<object>();
        var answers = new List<IdempotentAnswer>();
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            if (results[i] is not null)
            {
                continue;
            }

            var result = Decide(request, rows, documents[request.Id].ToList(), consented.Contains(request.Id), now);
            results[i] = result;
            if (result.Outcome != Submission.Submitted)
            {
                continue;
            }

            // Decided against the row as locked; a second submit of the same application in this batch finds it submitted.
            var before = rows[request.Id].Status;
            var after = result.Row!;
            rows[request.Id] = after;
            submitted.Add(request.Id);
            events.Add(OutboxRow.Of("application.submitted", request.Id, new { applicationId = request.Id }, now));
            records.Add(_audit.Prepare(new AuditEntry(request.Actor, "application.submitted", ApplicationStore.EntityType, request.Id.ToString(),
                new { status = before }, new { status = after.Status, step = after.CurrentStep }), request.RequestId).Record);
            if (request.Answer is { } answer)
            {
                var rendered = answer.Render(result);
                results[i] = result with { Answer = rendered };
                answers.Add(answer.Request.Answer(rendered));
            }
        }

        if (submitted.Count > 0)
        {
            // Its text differs with the batch's size: sent through the driver directly (see DbChange.ManyRows).
            await using var write = conn.CreateCommand();
            write.Transaction = tx;
            for (var i = 0; i < submitted.Count; i++)
            {
                write.Parameters.AddWithValue($"@u{i}", submitted[i]);
            }

            write.Parameters.AddWithValue("@now", now);
            write.Parameters.AddWithValue("@status", SubmittedStatus.ToWire());
            write.Parameters.AddWithValue("@step", SubmittedStatus.StepOf());
            write.Parameters.AddWithValue("@policyVersion", policyVersion);
            write.CommandText = $"""
                {UpdateSql} ({string.Join(", ", submitted.Select((_, i) => $"@u{i}"))});
                {DbChange.ManyRows(DbChange.OutboxSql, events, write.Parameters, "e")};
                {DbChange.ManyRows(AuditTrail.AppendSql, records, write.Parameters, "a")};
                {(answers.Count > 0 ? IdempotencyStore.UpsertAnswers(answers, now, write.Parameters, "i") + ";" : "")}
                """;
            await write.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }

        return results!;
    }

    private static SubmitResult Decide(Request request, Dictionary<Guid, ApplicationRow> rows, List<DocumentRow> documents, bool consent, DateTime now)
    {
        if (!rows.TryGetValue(request.Id, out var row) || !request.Scope.MaySee(row))
        {
            return new SubmitResult(Submission.NotFound, [], null, [], false);
        }

        var transition = ApplicationLifecycle.Next(row.State, ApplicationEvent.Submit);
        if (!transition.Allowed)
        {
            return new SubmitResult(Submission.NotDraft, [], null, [], false);
        }

        var accepted = documents.Where(d => d.Status == "accepted").Select(d => d.Kind).ToHashSet(StringComparer.Ordinal);
        var missing = RequiredKinds.Where(k => !accepted.Contains(k)).Select(k => "documents." + k).ToList();
        if (!consent)
        {
            missing.Add("consents.credit_bureau_query");
        }

        if (missing.Count > 0)
        {
            return new SubmitResult(Submission.Incomplete, missing, null, [], false);
        }

        var submitted = row with { Status = transition.Next.ToWire(), CurrentStep = transition.Next.StepOf(), SubmittedAt = now, UpdatedAt = now };
        return new SubmitResult(Submission.Submitted, [], submitted, documents, consent);
    }

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} submits met a deadlock and runs again (attempt {Attempt})")]
    private static partial void LogDeadlock(ILogger logger, int count, int attempt);

    private sealed record Request(Guid Id, ApplicationScope Scope, AuditActor Actor, string? RequestId, SubmitAnswer? Answer);

    /// <summary>Records the approval policy version in force, which routes the application once it waits for approval.</summary>
    private const string UpdateSql = """
        UPDATE applications SET status = @status, current_step = @step, submitted_at = @now, updated_at = @now,
               first_submitted_at = COALESCE(first_submitted_at, @now), approval_policy_version = @policyVersion
         WHERE id IN
        """;
}
