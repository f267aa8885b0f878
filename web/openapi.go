package web

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// OpenAPI is the OpenAPI 3.1 document of the API, served at
// GET /api/v1/openapi.json. Tests check that it names every API route the
// server registers and that real requests and responses match it.
//
//go:embed openapi.json
var OpenAPI []byte

func (s *Server) handleOpenAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "application/json", OpenAPI)
}
