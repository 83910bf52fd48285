namespace HeadlessLoan.Domain.Ledger;

/// <summary>What kind of balance an account holds, and so which side increases it.</summary>
public enum AccountType
{
    /// <summary>Owed to us or held by us; increased by a debit.</summary>
    Asset,

    /// <summary>Owed by us (the borrower's credit, refunds to pay); increased by a credit.</summary>
    Liability,

    /// <summary>Earned; increased by a credit.</summary>
    Income,

    /// <summary>Lost or spent (a loan written off); increased by a debit.</summary>
    Expense,
}

/// <summary>The chart of accounts. Stored by wire name (<see cref="ChartOfAccounts"/>); the order is the chart's.</summary>
public enum LedgerAccount
{
    PrincipalReceivable,
    InterestReceivable,
    PenaltyReceivable,
    FeeReceivable,

    /// <summary>Money on its way through the bank payout rail (disbursements).</summary>
    PayoutClearing,

    /// <summary>Money on its way through WeChat Pay (repayments, refunds).</summary>
    WeChatPayClearing,

    /// <summary>Money recorded by staff as received by bank transfer.</summary>
    OfflineClearing,

    InterestIncome,
    PenaltyIncome,
    FeeIncome,

    /// <summary>What the borrower paid beyond what is owed: kept as their credit until it is applied or refunded.</summary>
    BorrowerSuspense,

    /// <summary>Refunds decided and not yet paid out.</summary>
    RefundsPayable,

    /// <summary>What was owed on loans given up as a loss (written off as 损失).</summary>
    WriteOffExpense,

    /// <summary>Money received on a loan after it was written off.</summary>
    RecoveryIncome,
}

/// <summary>The chart: each account's stored name and type.</summary>
public static class ChartOfAccounts
{
    private static readonly (LedgerAccount Account, string Wire, AccountType Type)[] Accounts =
    [
        (LedgerAccount.PrincipalReceivable, "principal_receivable", AccountType.Asset),
        (LedgerAccount.InterestReceivable, "interest_receivable", AccountType.Asset),
        (LedgerAccount.PenaltyReceivable, "penalty_receivable", AccountType.Asset),
        (LedgerAccount.FeeReceivable, "fee_receivable", AccountType.Asset),
        (LedgerAccount.PayoutClearing, "payout_clearing", AccountType.Asset),
        (LedgerAccount.WeChatPayClearing, "wechatpay_clearing", AccountType.Asset),
        (LedgerAccount.OfflineClearing, "offline_clearing", AccountType.Asset),
        (LedgerAccount.InterestIncome, "interest_income", AccountType.Income),
        (LedgerAccount.PenaltyIncome, "penalty_income", AccountType.Income),
        (LedgerAccount.FeeIncome, "fee_income", AccountType.Income),
        (LedgerAccount.BorrowerSuspense, "borrower_suspense", AccountType.Liability),
        (LedgerAccount.RefundsPayable, "refunds_payable", AccountType.Liability),
        (LedgerAccount.WriteOffExpense, "write_off_expense", AccountType.Expense),
        (LedgerAccount.RecoveryIncome, "recovery_income", AccountType.Income),
    ];

    /// <summary>Every account's stored name, in the chart's order.</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Accounts.Select(a => a.Wire).ToArray());

    public static string ToWire(this LedgerAccount account) => Find(account).Wire;

    public static AccountType TypeOf(this LedgerAccount account) => Find(account).Type;

    /// <summary>Whether a debit increases the account (assets and expenses) rather than a credit (liabilities and income).</summary>
    public static bool IsDebitNormal(this LedgerAccount account) => account.TypeOf() is AccountType.Asset or AccountType.Expense;

    /// <summary>A stored account name; anything else in the column is a fault, not input.</summary>
    public static LedgerAccount Parse(string wire) =>
        Accounts.FirstOrDefault(a => string.Equals(a.Wire, wire, StringComparison.Ordinal)) is { Wire: not null } found
            ? found.Account
            : throw new FormatException($"'{wire}' is not a ledger account.");

    private static (LedgerAccount Account, string Wire, AccountType Type) Find(LedgerAccount account) =>
        Accounts.FirstOrDefault(a => a.Account == account) is { Wire: not null } found
            ? found
            : throw new ArgumentOutOfRangeException(nameof(account), account, "Unknown ledger account.");
}
