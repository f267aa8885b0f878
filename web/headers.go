package web

import "github.com/labstack/echo/v4"

// securityHeaders gives every response, pages, API answers, files and
// errors alike, headers that stop browsers from guessing content types,
// framing the app or sending full URLs to other sites. A handler may
// replace them: the app's page sets its own Content-Security-Policy, and
// shared pages a stricter Referrer-Policy.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		return next(c)
	}
}
