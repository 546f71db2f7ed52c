namespace EdgeGw.Api.Admin;

/// <summary>LiteLLM's <c>sort_by</c> (one of a list's columns, or none) and <c>sort_order</c> (<c>asc</c> or <c>desc</c>); anything else is a 400 naming it.</summary>
internal readonly record struct AdminSort(string? By, bool Descending)
{
    public static AdminSort Read(AdminInput input, string[] columns, string defaultOrder)
    {
        var by = input.String("sort_by");
        var order = input.String("sort_order") ?? defaultOrder;
        if (by is not null && !columns.Contains(by))
            throw new AdminInputException("sort_by", $"Invalid sort_by: must be one of {string.Join(", ", columns)}");
        if (order is not ("asc" or "desc"))
            throw new AdminInputException("sort_order", "Invalid sort_order: must be 'asc' or 'desc'");
        return new AdminSort(by, order == "desc");
    }
}
