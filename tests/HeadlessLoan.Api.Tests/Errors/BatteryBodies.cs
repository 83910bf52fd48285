namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>
/// For every contract operation with a JSON body: a valid body (<c>{unique}</c> is replaced by a fresh token on each
/// send, <c>{productId}</c> by a product on offer, <c>{id}</c> by an id that exists nowhere), one with a value of the
/// wrong type, and one with an unknown enum value where the body has an enum.
/// </summary>
public static class BatteryBodies
{
    public static IReadOnlyList<BatteryBody> All { get; } =
    [
        // Somebody unknown: a wrong password for a real account would count towards its lock-out.
        new("POST /v1/auth/staff/token", """{"username": "nobody-{unique}", "password": "not-a-password"}""",
            """{"username": 42, "password": "x"}""", null),
        new("POST /v1/staff", """{"username": "u{unique}", "displayName": "Some One", "password": "long-enough-password", "roles": ["risk_officer"]}""",
            """{"username": "someone", "displayName": "Some One", "password": "long-enough-password", "roles": "admin"}""", null),
        // Never the caller's real password: a change would revoke the token the batteries sign in with.
        new("POST /v1/staff/me/password", """{"currentPassword": "not-the-current-password", "newPassword": "another-long-password"}""",
            """{"currentPassword": "x", "newPassword": 12345678901234}""", null, JudgedField: "currentPassword"),
        new("POST /v1/staff/{staffId}/password", """{"newPassword": "long-enough-password"}""", """{"newPassword": ["long-enough-password"]}""", null),
        new("POST /v1/channels", """{"name": "Channel {unique}", "rateLimitPerMinute": 1000}""", """{"name": "typed", "rateLimitPerMinute": "ten"}""", null),
        new("POST /v1/products", Product("\"amountMin\": 100000"), Product("\"amountMin\": \"100000\""), Product("\"amountMin\": 100000", methods: "[\"weekly\"]")),
        new("PUT /v1/products/{productId}", Product("\"amountMin\": 100000"), Product("\"amountMin\": \"100000\""), Product("\"amountMin\": 100000", methods: "[\"weekly\"]")),
        new("POST /v1/collection-work-orders", """{"loanId": "{id}", "note": "Battery"}""", """{"loanId": 42}""", null),
        new("POST /v1/collection-work-orders/{workOrderId}/contact-attempts", """{"channel": "call", "result": "no_answer", "note": "Battery"}""",
            """{"channel": "call", "result": 5}""", """{"channel": "pigeon", "result": "no_answer"}"""),
        new("POST /v1/collection-work-orders/{workOrderId}/promises", """{"amount": 10000, "promisedOn": "2026-03-10"}""", """{"amount": "many", "promisedOn": "2026-03-10"}""", null),
        new("POST /v1/collection-work-orders/{workOrderId}/write-off", """{"reason": "Battery reason"}""", """{"reason": 42}""", null),
        new("PUT /v1/collectors/{staffId}", """{"regions": ["11"], "active": true}""", """{"regions": "11", "active": true}""", null),
        // The default floors again: a new version that classifies as the one before.
        new("PUT /v1/risk-classification", """{"floors": [{"riskClass": "normal", "minDaysPastDue": 0}, {"riskClass": "special_mention", "minDaysPastDue": 1}, {"riskClass": "substandard", "minDaysPastDue": 91}, {"riskClass": "doubtful", "minDaysPastDue": 271}, {"riskClass": "loss", "minDaysPastDue": 361}], "note": "Battery"}""",
            """{"floors": [{"riskClass": "normal", "minDaysPastDue": "0"}], "note": "Battery"}""", """{"floors": [{"riskClass": "fine", "minDaysPastDue": 0}], "note": "Battery"}"""),
        new("POST /v1/risk-class-overrides", """{"loanId": "{id}", "riskClass": "doubtful", "reason": "Battery reason"}""",
            """{"loanId": "{id}", "riskClass": "doubtful", "reason": 42}""", """{"loanId": "{id}", "riskClass": "fine", "reason": "Battery reason"}"""),
        new("POST /v1/auth/wechat/login", """{"code": "code_{unique}"}""", """{"code": 42}""", null),
        new("POST /v1/borrowers/me/phone", """{"code": "phone_{unique}"}""", """{"code": ["x"]}""", null),
        new("POST /v1/applications", Application("\"amount\": 500000"), Application("\"amount\": \"500000\""), Application("\"amount\": 500000", method: "weekly")),
        new("POST /v1/applications/{applicationId}/consents", """{"purpose": "credit_bureau_query", "textVersion": "v1"}""",
            """{"purpose": "credit_bureau_query", "textVersion": 1}""", """{"purpose": "marketing", "textVersion": "v1"}"""),
        new("PUT /v1/approval-policy", """{"note": "Battery", "rules": [{"steps": [{"role": "risk_officer", "approvers": 1}]}]}""", """{"note": 5, "rules": []}""", null),
        new("POST /v1/approval-tasks/{taskId}/decision", """{"decision": "reject", "reasonCode": "policy_not_met", "comment": "Battery"}""",
            """{"decision": "approve", "comment": 5}""", """{"decision": "maybe"}"""),
        new("POST /v1/applications/{applicationId}/special-approval", """{"reason": "A reason long enough"}""", """{"reason": 42}""", null),
        new("PUT /v1/applications/{applicationId}/loan-officer", """{"staffId": "{id}"}""", """{"staffId": 42}""", null),
        new("POST /v1/staff/{staffId}/relations", """{"kind": "family", "borrowerId": "{id}", "note": "Battery"}""", """{"kind": "family", "note": 7}""",
            """{"kind": "cousin", "borrowerId": "00000000-0000-0000-0000-000000000001"}"""),
        new("POST /v1/applications/{applicationId}/accept", """{"annualRate": 0.08, "apr": 0.09, "totalRepayment": 1050000}""",
            """{"annualRate": "0.08", "apr": 0.09, "totalRepayment": 1050000}""", null),
        // A callback from the bank: refused unsigned before it is read (the body batteries expect 401 for it, see Signed).
        new("POST /v1/webhooks/bank", """{"payout_no": "HL2026030200000001-1", "state": "SUCCEEDED"}""",
            """{"payout_no": 42, "state": "SUCCEEDED"}""", null, Signed: true),
        // WeChat Pay's notification: refused unsigned before it is read (a problem whose code is FAIL, as WeChat Pay expects).
        new("POST /v1/webhooks/wechatpay", """{"id": "EV-1", "event_type": "TRANSACTION.SUCCESS", "resource": {}}""", """{"id": 42}""", null,
            Signed: true),
        new("POST /v1/loans/{loanId}/repayments", """{"kind": "next_due"}""", """{"kind": 42}""", """{"kind": "everything"}"""),
        new("POST /v1/loans/{loanId}/offline-repayments", """{"amount": 100, "receivedOn": "2026-03-01", "reference": "B{unique}"}""",
            """{"amount": "100", "receivedOn": "2026-03-01", "reference": "B1"}""", null),
        new("POST /v1/loans/{loanId}/refunds", """{"amount": 100, "reason": "Overpaid"}""", """{"amount": [100], "reason": "Overpaid"}""", null),
        new("PUT /v1/credit-line-rules", """{"initialFactor": 1, "raiseAfterOnTime": 3, "raiseShare": 0.2, "cutShare": 0.5, "maxLimit": 5000000, "note": "Battery"}""",
            """{"initialFactor": "one", "raiseAfterOnTime": 3, "raiseShare": 0.2, "cutShare": 0.5, "maxLimit": 5000000, "note": "Battery"}""", null),
        new("POST /v1/schedules/quote", """{"principal": 100000, "annualRate": 0.05, "termMonths": 12, "method": "equal_installment"}""",
            """{"principal": "100000", "annualRate": 0.05, "termMonths": 12, "method": "equal_installment"}""",
            """{"principal": 100000, "annualRate": 0.05, "termMonths": 12, "method": "weekly"}"""),

        // Reminders' templates and policies, and a borrower's contact preferences.
        new("PUT /v1/reminder-templates/{templateKey}/{channel}", """{"providerTemplate": "tmpl-{unique}", "fields": {"thing1": "您的借款即将到期"}}""",
            """{"providerTemplate": 42, "fields": {"thing1": "x"}}""", null),
        new("POST /v1/reminder-templates/{templateKey}/{channel}/preview", """{"loanId": "{id}"}""", """{"loanId": 42}""", null),
        new("PUT /v1/reminder-policies/{scope}", """{"tiers": [{"offsetDays": -1, "channels": ["sms"], "templateKey": "before_due"}], "lateDays": 2}""",
            """{"tiers": [{"offsetDays": "-1", "channels": ["sms"], "templateKey": "before_due"}], "lateDays": 2}""",
            """{"tiers": [{"offsetDays": -1, "channels": ["fax"], "templateKey": "before_due"}], "lateDays": 2}"""),
        new("PUT /v1/borrowers/{borrowerId}/contact-preferences", """{"doNotContact": true, "reason": "Battery"}""", """{"doNotContact": "yes", "reason": "Battery"}""", null),
    ];

    public static BatteryBody For(string key) => All.Single(b => b.Key == key);

    private static string Application(string amount, string method = "equal_installment") => $$"""
        {"productId": "{productId}", {{amount}}, "termMonths": 12, "method": "{{method}}", "purpose": "Battery",
         "declaredName": "张三", "declaredRegionCode": "110101", "declaredAddress": "北京市东城区"}
        """;

    private static string Product(string amountMin, string methods = "[\"equal_installment\"]") => $$"""
        {"name": "Product {unique}", "repaymentMethods": {{methods}}, "annualRateMin": 0.05, "annualRateMax": 0.1, {{amountMin}},
         "amountMax": 5000000, "termMinMonths": 3, "termMaxMonths": 36, "penaltyDailyRate": 0.0003, "ageMin": 22, "ageMax": 55,
         "autoApprovalLimit": 100000}
        """;
}

/// <param name="Key">The operation, as <see cref="BatteryOperation.Key"/>.</param>
/// <param name="Signed">A callback whose signature over the raw body is checked first: any unsigned body is refused alike.</param>
/// <param name="JudgedField">A field whose valid value is still refused by what the service knows, not by its shape (a wrong current password): a 422 naming it alone is not a refusal of the body.</param>
public sealed record BatteryBody(string Key, string Valid, string WrongType, string? UnknownEnum, bool Signed = false, string? JudgedField = null);
