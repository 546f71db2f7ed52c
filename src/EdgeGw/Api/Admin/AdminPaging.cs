namespace EdgeGw.Api.Admin;

/// <summary>
/// LiteLLM's page parameters: <c>page</c> from 1 and a page size within its bounds (each list names
/// its size parameter: <c>page_size</c>, or <c>size</c> for <c>/key/list</c>); out of bounds is a 400 naming it.
/// </summary>
internal readonly record struct AdminPaging(int Page, int Size)
{
    public static AdminPaging Read(AdminInput input, string sizeName, int defaultSize, int maxSize)
    {
        var page = input.Count("page") ?? 1;
        var size = input.Count(sizeName) ?? defaultSize;
        if (page < 1)
            throw new AdminInputException("page", "Invalid page: pages start at 1");
        if (size < 1 || size > maxSize)
            throw new AdminInputException(sizeName, $"Invalid {sizeName}: must be between 1 and {maxSize}");
        return new AdminPaging(page, size);
    }

    /// <summary>Rows to skip; in long, as (page - 1) × size overflows int for a huge page.</summary>
    public long Offset => (long)(Page - 1) * Size;

    public long TotalPages(long total) => (total + Size - 1) / Size;

    /// <summary>This page's items of an in-memory list (none past its end).</summary>
    public IEnumerable<T> Of<T>(IReadOnlyList<T> all) => Offset >= all.Count ? [] : all.Skip((int)Offset).Take(Size);
}
