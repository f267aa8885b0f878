// Package web serves Bar Raiser over HTTP with Echo: the JSON API, the
// interview WebSocket and the embedded browser UI.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

//go:embed static
var staticFS embed.FS

// indexHTML is the page served at /, read once.
var indexHTML = func() []byte {
	b, err := staticFS.ReadFile("static/index.html")
	if err != nil {
		panic("web: " + err.Error()) // embedded at build time
	}
	return b
}()

// faviconSVG is the page's icon, also served at /favicon.ico for browsers
// that ask there without reading the page's link.
var faviconSVG = func() []byte {
	b, err := staticFS.ReadFile("static/favicon.svg")
	if err != nil {
		panic("web: " + err.Error()) // embedded at build time
	}
	return b
}()

// Server is the HTTP server. Set the exported fields, then call Open.
type Server struct {
	Service *agent.Service
	Logger  *slog.Logger
	// OriginPatterns lists extra hosts allowed to open a WebSocket, as for
	// websocket.AcceptOptions; the server's own host is always allowed.
	OriginPatterns []string
	// Info is reported by GET /api/v1/info.
	Info map[string]string
	// Claims, when set, reports interviews claimed by connections to other
	// server processes sharing the store, so that the local connection they
	// replace is told it was superseded at once rather than at its next write.
	Claims ClaimWatcher
	// Keys, when set, accepts API keys (Authorization: Bearer) and
	// WebSocket tickets.
	Keys agent.KeyStore
	// RateLimit is how many requests an owner may make a minute, and
	// RateBurst how many at once, counted in this process; a RateLimit of
	// 0 turns the limit off.
	RateLimit, RateBurst int
	// NextWait is how long POST …/next waits for a debrief being graded;
	// zero means DefaultNextWait.
	NextWait time.Duration
	// CORSOrigins lists the origins ("https://app.example.com") whose pages
	// may call the API with an API key.
	CORSOrigins []string
	// Metrics, when set, receives the server's session, turn and
	// WebSocket figures; nil records none.
	Metrics *Metrics
	// ShutdownTimeout caps Close: how long sessions in the middle of a
	// turn and requests in flight get to finish; zero means
	// DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// IdleTimeout closes, with 1000 and the reason "idle", a WebSocket
	// whose client sent no frame for that long; zero never does.
	IdleTimeout time.Duration
	// WSPerIP caps the WebSockets open at once from one client address;
	// zero means no cap.
	WSPerIP int
	// WSFrameRate is how many frames a WebSocket client may send every
	// 10 seconds, all at once or spread out; zero means no limit.
	WSFrameRate int
	// MaxMessageBytes caps one WebSocket message from a client (a larger
	// one closes the connection with 1009) and the body of POST …/next
	// (413 body_too_large); zero means MaxFrameBytes. It must leave room
	// for an answer of Service.AnswerLimit() characters. Set it before
	// Open.
	MaxMessageBytes int64
	// MaxBodyBytes caps the body of every HTTP request but POST …/next
	// (413 body_too_large); zero means DefaultMaxBodyBytes. Set it before
	// Open.
	MaxBodyBytes int64
	// TrustProxy says a reverse proxy sets X-Forwarded-For and
	// X-Forwarded-Proto: the client's address and scheme are read from
	// them. Without it both headers are ignored. Set it before Open.
	TrustProxy bool

	echo    *echo.Echo
	grader  grader
	limiter *rateLimiter
	wsPerIP *ipCounter
	ln      net.Listener
	srv     *http.Server
	hub     *hub
	// ctx lives as long as the server; WebSocket sessions derive from it
	// because a request's context must not be used after the upgrade.
	ctx    context.Context
	cancel context.CancelFunc
}

// ClaimWatcher calls fn for every claim of an interview, by any process,
// until ctx ends; a generation of agent.GenerationDeleted announces that
// the interview was deleted.
type ClaimWatcher interface {
	WatchClaims(ctx context.Context, fn func(id string, gen int64)) error
}

// NewServer returns a Server for svc with its routes registered.
func NewServer(svc *agent.Service, logger *slog.Logger) *Server {
	s := &Server{Service: svc, Logger: logger, echo: echo.New()}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.hub = newHub()
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.httpErrorHandler
	e.Use(middleware.Recover(), s.logRequests, securityHeaders, s.cors, s.limitBody(s.maxBody, skipNextBody))

	e.GET("/", s.handleIndex)
	static, _ := fs.Sub(staticFS, "static")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", http.FileServer(http.FS(static)))))
	e.GET("/favicon.ico", handleFavicon)
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.handleReady)

	// The owner check goes on each route, not on the group: a group's own
	// middleware makes Echo route every method under it, so a wrong method
	// would answer 404 instead of 405.
	api := e.Group("/api/v1")
	api.GET("/openapi.json", s.handleOpenAPI)
	api.GET("/info", s.handleInfo, s.requireOwner)
	api.GET("/principles", s.handlePrinciples, s.requireOwner)
	api.POST("/interviews", s.handleCreate, s.requireOwner)
	api.GET("/interviews", s.handleListPage, s.requireOwner)
	api.GET("/interviews/:id", s.handleGet, s.requireOwner)
	api.DELETE("/interviews/:id", s.handleDelete, s.requireOwner)
	api.POST("/interviews/:id/end", s.handleEnd, s.requireOwner, s.limitBodyTo(maxEmptyBody))
	api.GET("/interviews/:id/debrief.md", s.handleDebriefMarkdown, s.requireOwner)
	api.POST("/interviews/:id/share", s.handleShare, s.requireOwner, s.limitBodyTo(maxEmptyBody))
	api.DELETE("/interviews/:id/share", s.handleUnshare, s.requireOwner)
	api.POST("/interviews/:id/next", s.handleNext, s.requireOwner, s.limitNextBody)
	api.POST("/interviews/:id/ws-ticket", s.handleTicket, s.requireOwner, s.limitBodyTo(maxEmptyBody))
	api.GET("/interviews/:id/ws", s.handleWS, s.limitWSPerIP, s.requireOwnerOrTicket)
	api.GET("/me", s.handleMe, s.requireOwner)
	api.DELETE("/me", s.handleEraseMe, s.requireOwner)
	api.GET("/progress", s.handleProgress, s.requireOwner)
	api.GET("/stories", s.handleStories, s.requireOwner)
	api.PATCH("/stories/:interview_id/:principle", s.handleRenameStory, s.requireOwner, s.limitBodyTo(maxSmallBody))
	api.GET("/export", s.handleExport, s.requireOwner)
	// Share links are public: the token is the only credential, and
	// request logs show the route's pattern, never the token.
	api.GET("/shared/:token", s.handleSharedJSON)
	e.GET("/share/:token", s.handleSharedPage)
	api.POST("/session", s.handleSession, s.limitBodyTo(maxSmallBody))
	return s
}

// Open listens on addr (":0" picks a free port) and serves in the background.
func (s *Server) Open(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("web: listen: %w", err)
	}
	s.ln = ln
	s.limiter = newRateLimiter(s.RateLimit, s.RateBurst)
	s.wsPerIP = newIPCounter(s.WSPerIP)
	s.echo.IPExtractor = echo.ExtractIPDirect()
	if s.TrustProxy {
		s.echo.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s.srv = &http.Server{Handler: s.echo, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn)}
	s.hub.start(s.ctx)
	if s.Keys != nil {
		go s.hub.watchKeys(s.ctx, s.Keys, s.Logger)
	}
	if s.Claims != nil {
		go func() {
			if err := s.Claims.WatchClaims(s.ctx, s.hub.claimed); err != nil {
				s.Logger.Error("watch claims", "err", err)
			}
		}()
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Logger.Error("http serve", "err", err)
		}
	}()
	return nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns the base URL of the server.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Handler returns the server's HTTP handler, for tests that bring their own
// listener.
func (s *Server) Handler() http.Handler { return s.echo }

// DefaultShutdownTimeout bounds Close when ShutdownTimeout is zero.
const DefaultShutdownTimeout = 10 * time.Second

// Close shuts the server down as Shutdown does, within ShutdownTimeout.
func (s *Server) Close() error {
	d := s.ShutdownTimeout
	if d <= 0 {
		d = DefaultShutdownTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return s.Shutdown(ctx)
}

// Shutdown stops accepting connections, lets HTTP requests in flight
// finish, and ends every WebSocket with a server_restarting error frame and
// status 1012; a session in the middle of a turn first finishes it, so an
// answer being stored is acknowledged before its connection closes. When
// ctx ends first, whatever is left is cut without a close handshake and
// the error says so.
func (s *Server) Shutdown(ctx context.Context) error {
	httpDone := make(chan error, 1)
	if s.srv != nil {
		// Shutdown closes the listener at once, then waits for plain
		// requests; it does not wait for upgraded connections, which the
		// hub tracks.
		go func() { httpDone <- s.srv.Shutdown(ctx) }()
	} else {
		httpDone <- nil
	}
	hubErr := s.hub.shutdown(ctx)
	// Pings, key and claim watchers, and any session still running stop.
	s.cancel()
	if hubErr != nil {
		s.hub.wait(time.Second) // let cut sessions leave the store before it closes
	}
	httpErr := <-httpDone
	if httpErr != nil && s.srv != nil {
		s.srv.Close()
	}
	if err := errors.Join(hubErr, httpErr); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	return nil
}

// requestIDKey is where logRequests leaves the request's id in the
// echo.Context.
const requestIDKey = "request_id"

// safeID matches the ids that may go into a log record as the client sent
// them: a request id from X-Request-Id, or an interview id from the path.
var safeID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID returns the id logRequests gave the request.
func requestID(c echo.Context) string {
	id, _ := c.Get(requestIDKey).(string)
	return id
}

// logRequests gives each request an id, the client's X-Request-Id when it
// is a short plain token or else a new one, sends it back in X-Request-Id,
// and logs the request after it is served, by route pattern.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		rid := c.Request().Header.Get(echo.HeaderXRequestID)
		if !safeID.MatchString(rid) {
			rid = agent.NewID()
		}
		c.Set(requestIDKey, rid)
		c.Response().Header().Set(echo.HeaderXRequestID, rid)
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		// The route's pattern, never the path: paths may hold share tokens.
		attrs := []any{"request_id", rid, "method", c.Request().Method, "route", c.Path(),
			"status", c.Response().Status, "bytes", c.Response().Size, "dur", time.Since(start)}
		id := c.Param("id")
		if id == "" {
			id = c.Param("interview_id")
		}
		if safeID.MatchString(id) {
			attrs = append(attrs, "interview_id", id)
		}
		s.Logger.Debug("http", attrs...)
		return nil
	}
}

// readyTimeout bounds the store check of GET /readyz.
const readyTimeout = 5 * time.Second

// codeNotReady is the error code of GET /readyz when the store cannot serve.
const codeNotReady = "not_ready"

// Readier is a store that can tell whether it can serve: reachable, and
// with every migration this build embeds applied.
type Readier interface {
	Ready(ctx context.Context) error
}

// handleReady answers GET /readyz: 200 while the store is ready, when it
// is a Readier, else 503 with the reason in the log, not in the body.
func (s *Server) handleReady(c echo.Context) error {
	if r, ok := s.Service.Store.(Readier); ok {
		ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
		defer cancel()
		if err := r.Ready(ctx); err != nil {
			s.Logger.Warn("not ready", "request_id", requestID(c), "err", err)
			return c.JSON(http.StatusServiceUnavailable, errorBody{errorDetail{codeNotReady,
				"The store is unreachable or its migrations are not current; the server's log says which."}})
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) handleIndex(c echo.Context) error {
	if err := s.setOwnerCookie(c); err != nil {
		return s.writeError(c, err)
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	return c.HTMLBlob(http.StatusOK, indexHTML)
}

// handleFavicon answers GET /favicon.ico with the SVG icon, so a browser
// that asks for it by that name gets the icon rather than a 404.
func handleFavicon(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "image/svg+xml", faviconSVG)
}
